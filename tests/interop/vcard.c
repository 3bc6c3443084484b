/*
 * kzp11-vcard: a virtual smart card for vsmartcard's vpcd reader driver,
 * answering with a chosen ATR.  Connecting to vpcd inserts the card,
 * ending the process (SIGTERM) removes it.  The protocol: vpcd sends
 * messages as a 2-byte big-endian length and the bytes; a 1-byte message is
 * a control (0 power off, 1 power on, 2 reset, 4 "send your ATR"), anything
 * longer a command APDU.  The card answers the ATR request with its ATR and
 * every APDU with 6D 00 (instruction not supported).
 *
 *   kzp11-vcard PORT ATR-HEX   insert a card into the reader on 127.0.0.1:PORT
 *   kzp11-vcard lo-up          bring up the loopback interface (in a fresh
 *                              network namespace, which starts with it down)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		perror("kzp11-vcard: SIOCGIFFLAGS lo");
		return 1;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		perror("kzp11-vcard: SIOCSIFFLAGS lo");
		return 1;
	}
	close(fd);
	return 0;
}

static int read_all(int fd, unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_msg(int fd, const unsigned char *msg, size_t len)
{
	unsigned char out[2 + 64];

	out[0] = (unsigned char)(len >> 8);
	out[1] = (unsigned char)len;
	memcpy(out + 2, msg, len);
	return write(fd, out, len + 2) == (ssize_t)(len + 2) ? 0 : -1;
}

static int parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int byte;

	while (*s) {
		if (*s == ' ' || *s == ':') {
			s++;
			continue;
		}
		if (n == max || sscanf(s, "%2x", &byte) != 1)
			return -1;
		out[n++] = (unsigned char)byte;
		s += 2;
	}
	return (int)n;
}

int main(int argc, char **argv)
{
	unsigned char atr[33], msg[65536];
	struct sockaddr_in sa;
	int atr_len, fd = -1, one = 1;

	if (argc == 2 && !strcmp(argv[1], "lo-up"))
		return lo_up();
	if (argc != 3 || (atr_len = parse_hex(argv[2], atr, sizeof atr)) <= 0) {
		fprintf(stderr, "usage: kzp11-vcard PORT ATR-HEX | kzp11-vcard lo-up\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* vpcd may not listen yet: try for 10 s. */
	for (int i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		usleep(100000);
	}
	if (fd < 0) {
		fprintf(stderr, "kzp11-vcard: cannot connect to vpcd on 127.0.0.1:%s\n", argv[1]);
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	printf("inserted\n");
	fflush(stdout);
	for (;;) {
		unsigned char hdr[2];
		size_t len;
		if (read_all(fd, hdr, 2) < 0)
			break;
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (read_all(fd, msg, len) < 0)
			break;
		if (len == 1 && msg[0] == 4) {
			if (send_msg(fd, atr, (size_t)atr_len) < 0)
				break;
		} else if (len > 1) {
			static const unsigned char sw[] = { 0x6D, 0x00 };
			if (send_msg(fd, sw, sizeof sw) < 0)
				break;
		}
	}
	fprintf(stderr, "kzp11-vcard: vpcd closed the connection\n");
	return 0;
}
