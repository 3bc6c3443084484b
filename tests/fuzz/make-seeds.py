#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets (tests/fuzz/README.md).

    make-seeds.py MKCONTAINER OUTDIR

OUTDIR/NAME/ receives the seeds of target NAME, each file named by the
SHA-1 of its content as libFuzzer names inputs.  Containers come from
kzp11-mkcontainer (both formats), and the same with the MAC removed and,
through `openssl pkcs12`, unencrypted, so that mutations reach the parsers
behind the MAC and the encryption.  The committed corpus is these seeds
merged (-merge=1) with what fuzzing found.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

mk, outdir = sys.argv[1], sys.argv[2]


def put(target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), 'wb') as f:
        f.write(data)


def u32(v):
    return struct.pack('>I', v)


# ---- containers ----

def der_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b


def tlv_split(buf, pos):
    """(tag, header length, content length) of the TLV at pos (DER lengths)."""
    tag, first = buf[pos], buf[pos + 1]
    if first < 128:
        return tag, 2, first
    n = first & 0x7f
    return tag, 2 + n, int.from_bytes(buf[pos + 2:pos + 2 + n], 'big')


def without_mac(p12):
    """PFX { version, authSafe, macData } -> PFX { version, authSafe }."""
    _, hl, _ = tlv_split(p12, 0)
    pos, items = hl, []
    while pos < len(p12):
        _, h, n = tlv_split(p12, pos)
        items.append(p12[pos:pos + h + n])
        pos += h + n
    body = b''.join(items[:2])
    return b'\x30' + der_len(len(body)) + body


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


KZ_2004_KEY = bytes.fromhex('06092a830e030a01010101')
KZ_2004_CURVE = bytes.fromhex('060a2a830e030a0101010101')
KZ_GOST94_PARAMS = bytes.fromhex('060a2a830e030a0103010100')
KZ_2015_512_KEY = bytes.fromhex('06092a830e030a01010202')
KZ_2015_512_CURVE = bytes.fromhex('060a2a830e030a0101020201')
KZ_STREEBOG512 = bytes.fromhex('06082a830e030a010303')
OID_DATA = bytes.fromhex('06092a864886f70d010701')
OID_KEYBAG = bytes.fromhex('060b2a864886f70d010c0a0101')
OID_CERTBAG = bytes.fromhex('060b2a864886f70d010c0a0103')
OID_X509CERT = bytes.fromhex('060a2a864886f70d01091601')
OID_LOCALKEYID = bytes.fromhex('06092a864886f70d010915')


def gost_container(alg, params, size, cert_der):
    """PFX (no MAC) with a GOST PKCS#8 key bag and a certificate bag."""
    d = tlv(0x02, b'\x00' + bytes([0x11]) * size)
    p8 = tlv(0x30, tlv(0x02, b'\x00') + tlv(0x30, alg + tlv(0x30, params)) + tlv(0x04, d))
    attrs = tlv(0x31, tlv(0x30, OID_LOCALKEYID + tlv(0x31, tlv(0x04, b'\x42' * 20))))
    keybag = tlv(0x30, OID_KEYBAG + tlv(0xa0, p8) + attrs)
    certbag = tlv(0x30, OID_CERTBAG + tlv(0xa0, tlv(0x30, OID_X509CERT +
                                                     tlv(0xa0, tlv(0x04, cert_der)))) + attrs)
    safe = tlv(0x30, keybag + certbag)
    authsafe = tlv(0x30, tlv(0x30, OID_DATA + tlv(0xa0, tlv(0x04, safe))))
    return tlv(0x30, tlv(0x02, b'\x03') + tlv(0x30, OID_DATA + tlv(0xa0, tlv(0x04, authsafe))))


with tempfile.TemporaryDirectory() as tmp:
    for fmt in ('nca', 'modern'):
        path = subprocess.check_output(
            [mk, '--format', fmt, '--bits', '1024', '--name', fmt + '.p12', tmp],
            text=True).strip()
        data = open(path, 'rb').read()
        put('p12', data)
        put('p12', without_mac(data))
    pem = os.path.join(tmp, 'all.pem')
    subprocess.check_call(['openssl', 'pkcs12', '-in', os.path.join(tmp, 'modern.p12'),
                           '-passin', 'pass:Qwerty12', '-nodes', '-out', pem])
    plain = os.path.join(tmp, 'plain.p12')
    subprocess.check_call(['openssl', 'pkcs12', '-export', '-in', pem, '-passout',
                           'pass:Qwerty12', '-keypbe', 'NONE', '-certpbe', 'NONE',
                           '-nomac', '-out', plain])
    put('p12', open(plain, 'rb').read())
    cert_der = subprocess.check_output(['openssl', 'x509', '-in', pem, '-outform', 'DER'])
    # GOST keys in a container: the fixed PKCS#8 structures fuzz_mech.c
    # uses, in a key bag beside the generated certificate, without MAC.
    for alg, params, size in (
            (KZ_2004_KEY, KZ_2004_CURVE + KZ_GOST94_PARAMS, 32),
            (KZ_2015_512_KEY, KZ_2015_512_CURVE + KZ_STREEBOG512, 64)):
        put('p12', gost_container(alg, params, size, cert_der))

# ---- configuration ----

put('conf', open(os.path.join(os.path.dirname(__file__), '..', '..', 'conf',
                               'kzp11.conf'), 'rb').read())
put('conf', b'keys = ~/keys\nkeys = $HOME/x/$USER\nscan_depth = 3\ndebug = 2\n'
            b'log = syslog\ncert_cache = yes\ncache_dir = ~/.cache/kzp11\n')
put('conf', b'# comment\n  keys=/a # trailing\n\nbogus\nscan_depth = 99\ncert_cache = maybe\n'
            b'unknown = 1\ncache_dir =\nkeys =\ndebug = -1\nlog = ~\n')

# ---- attribute templates (fuzz_attrs.c) ----

CKA = dict(CLASS=0, TOKEN=1, PRIVATE=2, LABEL=3, VALUE=0x11, KEY_TYPE=0x100, ID=0x102,
           SUBJECT=0x101, SIGN=0x108, VERIFY=0x10a, MODULUS=0x120, PUBLIC_EXPONENT=0x122,
           GOSTR3410_PARAMS=0x250, GOSTR3411_PARAMS=0x251, MODIFIABLE=0x170,
           CERTIFICATE_TYPE=0x80, ALLOWED_MECHANISMS=0x40000600 & ~0x40000000)


def a_ulong(name, v):      # mode 1: a CK_ULONG, raw type
    return bytes([1, 0xF0]) + u32(CKA[name]) + u32(v)


def a_bytes(name, v):      # mode 0: raw bytes
    return bytes([0, 0xF0]) + u32(CKA[name]) + bytes([len(v)]) + v


def a_bool(name, v):       # mode 3
    return bytes([3, 0xF0]) + u32(CKA[name]) + bytes([v])


def tmpl(*attrs):
    return bytes([len(attrs)]) + b''.join(attrs)


def query(*names, size=300):
    return bytes([len(names)]) + b''.join(bytes([0, 0xF0]) + u32(CKA[n]) + struct.pack('>H', size)
                                            for n in names)


ALL = ('CLASS', 'TOKEN', 'PRIVATE', 'LABEL', 'VALUE', 'KEY_TYPE', 'ID', 'SUBJECT',
       'MODULUS', 'PUBLIC_EXPONENT', 'ALLOWED_MECHANISMS', 'CERTIFICATE_TYPE')
CREATE, FIND, GET, SET, DESTROY, COPY, SIZE, LOGIN = range(8)
# every object the session sees, every attribute (handles 0..5 of the table)
put('attrs', bytes([3]) + b''.join(bytes([GET, i]) + query(*ALL) for i in range(6)))
put('attrs', bytes([0]) + b''.join(bytes([GET, i]) + query(*ALL, size=3) for i in range(4)))
# find private keys, size queries, login and logout in between
put('attrs', bytes([1, FIND, 0x10]) + tmpl(a_ulong('CLASS', 3)) +
    bytes([GET, 0, 2, 1, 0xF0]) + u32(CKA['MODULUS']) + bytes([3, 0xF0]) + u32(CKA['LABEL']) + b'\x10' +
    bytes([LOGIN, 1, FIND, 0x10]) + tmpl(a_ulong('CLASS', 3)) + bytes([SIZE, 0, LOGIN, 0]))
# an HMAC key, relabelled, copied, destroyed
put('attrs', bytes([1, CREATE]) + tmpl(a_ulong('CLASS', 4), a_ulong('KEY_TYPE', 0x10),
                                      a_bytes('VALUE', b'k' * 32), a_bool('SIGN', 1)) +
    bytes([GET, 0xFF]) + u32(0) + query('VALUE') +
    bytes([SET, 0]) + tmpl(a_bytes('LABEL', b'new label')) +
    bytes([COPY, 0]) + tmpl(a_bytes('LABEL', b'copy'), a_bool('TOKEN', 0)) +
    bytes([DESTROY, 1]))
# an RSA and a GOST public key
put('attrs', bytes([1, CREATE]) + tmpl(a_ulong('CLASS', 2), a_ulong('KEY_TYPE', 0),
                                      a_bytes('MODULUS', b'\xc5' + b'\x17' * 127),
                                      a_bytes('PUBLIC_EXPONENT', b'\x01\x00\x01'),
                                      a_bytes('LABEL', b'rsa')) +
    bytes([FIND, 0x10]) + tmpl(a_bytes('LABEL', b'rsa')) +
    bytes([CREATE]) + tmpl(a_ulong('CLASS', 2), a_ulong('KEY_TYPE', 0x30),
                           a_bytes('GOSTR3410_PARAMS', b'\x06\x07\x2a\x85\x03\x02\x02\x23\x01'),
                           a_bytes('VALUE', bytes(range(64)))))
# a certificate object and a data object (both refused), bad modes
put('attrs', bytes([3, CREATE]) + tmpl(a_ulong('CLASS', 1), a_ulong('CERTIFICATE_TYPE', 0),
                                      a_bytes('VALUE', b'\x30\x03\x02\x01\x00')) +
    bytes([CREATE]) + tmpl(a_ulong('CLASS', 0), bytes([5, 3, 9]), bytes([4, 6])) +
    bytes([SET, 2]) + tmpl(a_bool('PRIVATE', 0), a_bool('MODIFIABLE', 1)))

# ---- mechanisms (fuzz_mech.c) ----

RSA_PRIV, RSA_PUB, GOST04, GOST512, GOST256, SECRET, RAW = 1, 2, 3, 4, 5, 6, 7
SIGN, VERIFY, ENCRYPT, DECRYPT, DIGEST = range(5)


def mech(key, op, m, param=b'\x00', rest=b''):
    return bytes([key, op, 0xF0]) + u32(m) + param + rest


def run(how, out, data, sig=None):
    return bytes([how, out]) + (bytes([len(sig)]) + sig if sig is not None else b'') + data


msg = b'The quick brown fox jumps over the lazy dog'
put('mech', mech(RSA_PRIV, SIGN, 0x40, rest=run(0, 1, msg)))                  # SHA256_RSA_PKCS
put('mech', mech(RSA_PRIV, SIGN, 0x0d, b'\x04\x02\x02\x20', run(0, 2, b'h' * 32)))  # PSS
put('mech', mech(RSA_PRIV, SIGN, 0x43, b'\x04\x02\x02\x20', run(0x15, 1, msg)))     # SHA256 PSS
put('mech', mech(RSA_PUB, VERIFY, 0x06, rest=run(0x05, 0, msg, b'\x01' * 128)))  # SHA1_RSA_PKCS
put('mech', mech(RSA_PUB, ENCRYPT, 0x09, b'\x03\x02\x20\x04labl', run(0, 1, b'secret')))  # OAEP
put('mech', mech(RSA_PRIV, DECRYPT, 0x01, rest=run(0, 1, b'\x5a' * 128)))     # RSA_PKCS
put('mech', mech(RSA_PRIV, DECRYPT, 0x03, rest=run(0, 0x40, b'\x5a' * 128)))  # X_509
put('mech', mech(0, DIGEST, 0x250, rest=run(0x15, 2, msg * 3)))               # SHA256
put('mech', mech(0, DIGEST, 0x1210, b'\x02\x03', run(0, 1, msg)))             # GOSTR3411
put('mech', mech(0, DIGEST, 0xD4321013, rest=run(1, 2, msg)))                 # Streebog-512
put('mech', mech(GOST04, SIGN, 0xCB5A0001, rest=b'\x01' + msg))               # KZ 2004
put('mech', mech(GOST04, SIGN, 0x1201, rest=b'\x01' + b'\x33' * 32))          # GOSTR3410 raw
put('mech', mech(GOST512, SIGN, 0xD4321009, b'\x02\x08', b'\x40' + msg))       # 512 + OID
put('mech', mech(GOST256, SIGN, 0xCB5A0021, rest=b'\x01' + msg))              # KZ 2015-256
put('mech', mech(GOST04, VERIFY, 0xCB5A0002, rest=run(0, 0, b'\x01' * 32, b'\x02' * 64)))
put('mech', mech(GOST512, VERIFY, 0xD4321006, rest=run(0, 0, b'\x01' * 64, b'\x02' * 128)))
put('mech', mech(GOST256, VERIFY, 0xD4321008, b'\x02\x05', run(1, 0, msg, b'\x07' * 64)))
put('mech', mech(SECRET, SIGN, 0xD4321014, rest=b'\x01\x20' + b'K' * 32 + run(0, 1, msg)))
put('mech', mech(SECRET, VERIFY, 0x1211, b'\x02\x00', b'\x00\x10' + b'K' * 16 +
                 run(1, 0, msg, b'\x00' * 32)))
put('mech', mech(SECRET, SIGN, 0xD4321015, rest=b'\x00\x40' + b'K' * 64 + run(0, 0x10, msg)))
put('mech', mech(RAW, SIGN, 0x40, rest=u32(0x12345) + run(0, 1, msg)))
put('mech', mech(RSA_PRIV, SIGN, 0x01, b'\x05\x08', run(0, 1, msg)))
# how & 0x80: the target makes a valid signature or ciphertext first
put('mech', mech(RSA_PUB, VERIFY, 0x40, rest=run(0x80, 0, msg, b'')))
put('mech', mech(RSA_PUB, VERIFY, 0x43, b'\x04\x02\x02\x20', run(0x81, 0, msg, b'')))
put('mech', mech(RSA_PRIV, DECRYPT, 0x09, b'\x03\x02\x20\x04labl', run(0x80, 2, b'secret')))
put('mech', mech(RSA_PRIV, DECRYPT, 0x01, rest=run(0x81, 1, b'secret')))
put('mech', mech(GOST04, VERIFY, 0xCB5A0001, rest=run(0x80, 0, msg, b'')))
put('mech', mech(GOST512, VERIFY, 0xCB5A0011, rest=run(0x83, 0, msg, b'')))
put('mech', mech(SECRET, VERIFY, 0xD4321014, rest=b'\x01\x20' + b'K' * 32 + run(0x80, 0, msg, b'')))
