#!/usr/bin/env python3
"""An HTTPS server on 127.0.0.1 that requires a client certificate, for the
browser tests (firefox.sh, chromium.sh).

    https-server.py PORTFILE LOG CERT KEY CAFILE

Listens on a port the kernel picks and writes "PORT PID" to PORTFILE once it
accepts connections (the PID to stop it by: "python3" may be a wrapper that
runs the interpreter as its child).  Each connection is handshaken in a thread of its own: a browser
keeps a handshake open while it asks for the token's password, and other
connections must still be served meanwhile.

For every request it appends to LOG one line
    CLIENT <sha1 of the client certificate's DER> <path> <subject>
and answers "/" with a page titled "kzp11 client <sha1>", so the test can
compare both with the fingerprint openssl computes from the container.
Each connection is logged as "ACCEPT <address>" before its handshake, and
handshakes that fail as "HANDSHAKE-FAILED <reason>".
Runs until killed (the test stops it by PID).
"""

import hashlib
import http.server
import os
import socketserver
import ssl
import sys
import threading

portfile, logname, certfile, keyfile, cafile = sys.argv[1:6]
log_lock = threading.Lock()


def log(line):
    with log_lock, open(logname, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def subject_of(cert):
    parts = []
    for rdn in cert.get("subject", ()):
        for k, v in rdn:
            parts.append(f"{k}={v}")
    return ",".join(parts)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        der = self.connection.getpeercert(binary_form=True)
        fpr = hashlib.sha1(der).hexdigest() if der else "none"
        subject = subject_of(self.connection.getpeercert() or {})
        log(f"CLIENT {fpr} {self.path} {subject}")
        if self.path != "/":
            self.send_error(404)
            return
        body = (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            f"<title>kzp11 client {fpr}</title></head>"
            f"<body><h1>Client certificate</h1><p>SHA-1 {fpr}</p>"
            f"<p>{subject}</p></body></html>\n"
        ).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        # In the connection's own thread, not in accept().
        log(f"ACCEPT {client_address[0]}:{client_address[1]}")
        request.settimeout(120)
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError) as e:
            log(f"HANDSHAKE-FAILED {e}")
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        log(f"ERROR {sys.exc_info()[1]!r}")


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certfile, keyfile)
ctx.load_verify_locations(cafile)
ctx.verify_mode = ssl.CERT_REQUIRED

httpd = Server(("127.0.0.1", 0), Handler)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True,
                               do_handshake_on_connect=False)
with open(portfile + ".tmp", "w") as f:
    f.write(f"{httpd.server_address[1]} {os.getpid()}\n")
os.rename(portfile + ".tmp", portfile)
httpd.serve_forever()
