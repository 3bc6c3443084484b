/*
 * kzp11-nss-usercerts DBDIR ssl-client|email-signer [PASSWORD]: the
 * certificates NSS offers as the user's own for TLS client login or for
 * signing e-mail.  Lists, one per line, what NSS's own selection finds
 * (CERT_FindUserCertsByUsage, valid certificates only: the list behind
 * NSS_GetClientAuthData, built from NSS's "user certificate" flag, which a
 * certificate gets when its token holds a key with the same CKA_ID) and
 * whether NSS then finds the private key (PK11_FindKeyByAnyCert, logging in
 * with PASSWORD when a token asks): "NICKNAME<TAB>key" or "NICKNAME<TAB>nokey".
 * Exit status 0, 1 when NSS cannot start, 2 for bad arguments.
 */
#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secerr.h>
#include <stdio.h>
#include <string.h>

static char *password;

static char *get_password(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	(void)slot;
	(void)arg;
	/* A wrong password is not tried again. */
	return password && !retry ? PORT_Strdup(password) : NULL;
}

int main(int argc, char **argv)
{
	CERTCertList *list;
	CERTCertListNode *node;
	SECCertUsage usage;
	char db[4096];

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s DBDIR ssl-client|email-signer [PASSWORD]\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[2], "ssl-client"))
		usage = certUsageSSLClient;
	else if (!strcmp(argv[2], "email-signer"))
		usage = certUsageEmailSigner;
	else
		return 2;
	password = argc == 4 ? argv[3] : NULL;
	snprintf(db, sizeof db, "sql:%s", argv[1]);
	if (NSS_Initialize(db, "", "", "", NSS_INIT_READONLY) != SECSuccess) {
		fprintf(stderr, "NSS_Initialize(%s): error %d\n", db, PR_GetError());
		return 1;
	}
	PK11_SetPasswordFunc(get_password);
	list = CERT_FindUserCertsByUsage(CERT_GetDefaultCertDB(), usage, PR_FALSE, PR_TRUE,
					 NULL);
	for (node = list ? CERT_LIST_HEAD(list) : NULL; node && !CERT_LIST_END(node, list);
	     node = CERT_LIST_NEXT(node)) {
		SECKEYPrivateKey *key = PK11_FindKeyByAnyCert(node->cert, NULL);
		printf("%s\t%s\n", node->cert->nickname ? node->cert->nickname : "(none)",
		       key ? "key" : "nokey");
		SECKEY_DestroyPrivateKey(key);
	}
	if (list)
		CERT_DestroyCertList(list);
	NSS_Shutdown();
	return 0;
}
