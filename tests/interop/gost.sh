#!/bin/bash
# The GOST containers NCA issued for testing ($KZP11_TESTKEYS/gost-2004:
# GOST 34.310-2004 on the CryptoPro-A curve; gost-2015: GOST 34.10-2015
# 512-bit on TC26-512-A; password Qwerty12) through OpenSC's pkcs11-tool,
# cross-checked with gost-engine (openssl -engine gost) as an independent
# implementation:
#   - pkcs11-tool -O shows each key with the curve OID and public value of
#     the certificate inside the container (read by openssl);
#   - --sign/--verify with GOSTR3410-WITH-GOSTR3411 (2004 keys) and
#     GOSTR3410-WITH-GOSTR3411-12-512 (2015 keys), and with GOSTR3410 /
#     GOSTR3410_512 over a digest;
#   - the module's digests equal gost-engine's, and gost-engine accepts what
#     the containers sign.
# The other direction (keys made by gost-engine, verified by the module) needs
# C_CreateObject and is in the module suite (tests/module/test_module_gost.c).
#
# Mapping between the NCA keys and gost-engine, checked by the verifications:
#   - public key: gost-engine reads the same OCTET STRING X_le || Y_le inside
#     the BIT STRING, only with Russian OIDs around it:
#       2004: algorithm 1.2.643.2.2.19 (GOST R 34.10-2001), parameters
#             SEQUENCE { 1.2.643.2.2.35.1 (CryptoPro-A), 1.2.643.2.2.30.1 }
#       2015: algorithm 1.2.643.7.1.1.1.2 (GOST R 34.10-2012, 512 bits),
#             parameters SEQUENCE { 1.2.643.7.1.2.1.2.1 (TC26-512-A),
#             1.2.643.7.1.1.2.3 (Streebog-512) }
#   - signature: gost-engine's `dgst -sign/-verify` and `pkeyutl` use s || r,
#     each big-endian: the PKCS#11 layout, byte for byte (the Kazakh r_le ||
#     s_le is its reversal);
#   - digest: e = the digest bytes as a little-endian number, in both; both
#     sign the digest bytes in gost-engine's output order;
#   - hash: Streebog-512 is gost-engine's streebog512.  The 2004 keys' own
#     hash, GOST 34.311-95, is GOST R 34.11-94 with the *test* S-box, which
#     gost-engine does not offer (md_gost94 uses the CryptoPro S-box): those
#     keys are checked with GOSTR3410 over md_gost94's digest, and their
#     GOSTR3410-WITH-GOSTR3411 signatures must NOT verify as md_gost94.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd pkcs11-tool cmp

[ -n "$KZP11_TESTKEYS" ] && [ -d "$KZP11_TESTKEYS/gost-2004" ] &&
	[ -d "$KZP11_TESTKEYS/gost-2015" ] ||
	skip "no real NCA test containers (set KZP11_TESTKEYS to the nca-testkeys folder with gost-2004/ and gost-2015/ in it)"
if ! openssl engine -t gost >"$KZ_OUT" 2>&1; then
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "gost-engine does not load (openssl engine -t gost)" "$KZ_OUT"
	skip "gost-engine is not installed (openssl engine -t gost fails)"
fi

KZP11_KEYS=$KZP11_TESTKEYS/gost-2004:$KZP11_TESTKEYS/gost-2015
export KZP11_KEYS

msg=$KZ_TMP/message.txt
changed=$KZ_TMP/changed.txt
printf 'Қазақстан: a document to sign with GOST, %s\n' "$(date +%s)" >"$msg"
printf 'Қазақстан: a document to sign with GOST, but changed\n' >"$changed"

# ---- reading certificates with openssl ----

# der_hex FILE OFFSET LENGTH: those bytes of FILE in lowercase hex.
der_hex() {
	od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'
}

# cert_der_of_p12 P12 OUT.der: the certificate inside a container.
cert_der_of_p12() {
	openssl pkcs12 -legacy -in "$1" -passin "pass:$KZ_PASSWORD" -nokeys -clcerts 2>/dev/null |
		openssl x509 -outform DER -out "$2" 2>/dev/null ||
		fail "openssl cannot read the certificate in $1"
}

# The certificate's subject key identifier, lowercase hex.
ski_of_cert() {
	openssl x509 -inform DER -in "$1" -noout -ext subjectKeyIdentifier |
		sed -n '2s/[ :]//gp' | tr 'A-F' 'a-f'
}

# spki_of CERT.der: the certificate's SubjectPublicKeyInfo as openssl
# asn1parse shows it: KEY_ALG (dotted), CURVE_HEX and HASH_HEX (the DER OIDs
# of its parameters, tag included) and POINT_HEX (X_le || Y_le, the content
# of the OCTET STRING inside the BIT STRING).
spki_of() {
	local what off len hdr
	KEY_ALG='' CURVE_HEX='' HASH_HEX='' POINT_HEX=''
	openssl asn1parse -inform DER -in "$1" >"$KZ_TMP/asn1.txt" ||
		fail "openssl asn1parse cannot read $1"
	# "  367:d=4  hl=2 l=   9 prim: OBJECT   :1.2.398.3.10.1.1.2.2": the first
	# OBJECT at depth 4 is the key algorithm, the OBJECTs at depth 5 after it
	# its parameters, the BIT STRING at depth 3 the key.
	while read -r what off len; do
		case $what in
		alg) KEY_ALG=$off ;;
		oid) if [ -z "$CURVE_HEX" ]; then
			CURVE_HEX=$(der_hex "$1" "$off" "$len")
		else
			HASH_HEX=$(der_hex "$1" "$off" "$len")
		fi ;;
		key)
			hdr=$(der_hex "$1" $((off - 4)) 4)
			case $len:$hdr in
			64:??000440 | 128:00048180) ;;
			*) fail "$1: the public key is not BIT STRING { OCTET STRING } ($hdr)" ;;
			esac
			POINT_HEX=$(der_hex "$1" "$off" "$len") ;;
		esac
	done < <(awk '
		{ line = $0; sub(/^ */, "", line); split(line, f, /[:= ]+/) }
		alg == "" && f[3] == 4 && f[9] == "OBJECT" { alg = f[10]; print "alg", alg; next }
		alg != "" && f[3] == 5 && f[9] == "OBJECT" { print "oid", f[1], f[5] + f[7]; next }
		alg != "" && f[3] == 3 && f[9] == "BIT" {
			size = f[7] > 100 ? 128 : 64
			print "key", f[1] + f[5] + f[7] - size, size
			exit
		}' "$KZ_TMP/asn1.txt")
	[ -n "$KEY_ALG" ] && [ -n "$CURVE_HEX" ] && [ -n "$HASH_HEX" ] && [ -n "$POINT_HEX" ] ||
		fail "$1: no GOST public key found" "$KZ_TMP/asn1.txt"
}

# russian_pubkey OUT.pem: the key spki_of read, with the Russian OIDs of the
# kind ($RU_KEY, $RU_CURVE, $RU_HASH) around the same X_le || Y_le; loaded
# and written out again by gost-engine, so it must understand it.
russian_pubkey() {
	local octet
	if [ ${#POINT_HEX} -eq 128 ]; then octet=0440$POINT_HEX; else octet=048180$POINT_HEX; fi
	cat >"$KZ_TMP/spki.cnf" <<-EOF
		asn1 = SEQUENCE:spki
		[spki]
		algorithm = SEQUENCE:algorithm
		key = FORMAT:HEX,BITSTRING:$octet
		[algorithm]
		oid = OID:$RU_KEY
		parameters = SEQUENCE:parameters
		[parameters]
		curve = OID:$RU_CURVE
		hash = OID:$RU_HASH
	EOF
	must "encode the public key with Russian OIDs" \
		openssl asn1parse -genconf "$KZ_TMP/spki.cnf" -noout -out "$KZ_TMP/spki.der"
	must "gost-engine loads the public key" openssl pkey -engine gost -pubin -inform DER \
		-in "$KZ_TMP/spki.der" -out "$1"
}

# The public key's VALUE in `pkcs11-tool -O` output (hex over several lines).
p11_public_value() {
	awk '/^Public Key Object/ { pub = 1; next }
		pub && /^  VALUE: / { v = $2; cont = 1; next }
		cont && /^ +[0-9a-f]+$/ { v = v $1; next }
		cont { print v; exit }' "$1"
}

# ---- the module's verdicts ----

# p11_verifies "check" SLOT MECH DATA SIG: pkcs11-tool --verify says valid.
p11_verifies() {
	must "$1" p11 --slot "$2" --verify -m "$3" -i "$4" --signature-file "$5"
	has "$KZ_OUT" "Signature is valid" || fail "$1: not valid" "$KZ_OUT" "$KZ_ERR"
}

# p11_rejects "check" SLOT MECH DATA SIG: pkcs11-tool --verify says invalid.
p11_rejects() {
	run p11 --slot "$2" --verify -m "$3" -i "$4" --signature-file "$5" || true
	has "$KZ_OUT" "Invalid signature" && has_not "$KZ_OUT" "Signature is valid" ||
		fail "$1: pkcs11-tool does not say 'Invalid signature'" "$KZ_OUT" "$KZ_ERR"
}

# ---- the tokens ----

must "pkcs11-tool -L" p11 -L
p11_tokens >"$KZ_TMP/tokens"
set -- "$KZP11_TESTKEYS"/gost-2004/*.p12 "$KZP11_TESTKEYS"/gost-2015/*.p12
n=$(wc -l <"$KZ_TMP/tokens")
[ "$n" -eq "$#" ] || fail "$# GOST containers but $n tokens" "$KZ_TMP/tokens"
ok "-L: a token for each of the $# GOST containers"

for p12 in "$@"; do
	name=$(basename "$(dirname "$p12")")/$(basename "$p12")
	case $name in
	gost-2004/*)
		size=32 hash_mech=GOSTR3410-WITH-GOSTR3411 raw_mech=GOSTR3410
		digest_mech=GOSTR3411 md=md_gost94
		kz_alg=1.2.398.3.10.1.1.1.1 kz_curve=060a2a830e030a0101010101
		kz_hash=060a2a830e030a0103010100
		RU_KEY=1.2.643.2.2.19 RU_CURVE=1.2.643.2.2.35.1 RU_HASH=1.2.643.2.2.30.1 ;;
	*)
		size=64 hash_mech=GOSTR3410-WITH-GOSTR3411-12-512
		raw_mech=GOSTR3410_512 digest_mech=GOSTR3411-12-512 md=streebog512
		kz_alg=1.2.398.3.10.1.1.2.2 kz_curve=060a2a830e030a0101020201
		kz_hash=06082a830e030a010303
		RU_KEY=1.2.643.7.1.1.1.2 RU_CURVE=1.2.643.7.1.2.1.2.1 RU_HASH=1.2.643.7.1.1.2.3 ;;
	esac
	cert_der_of_p12 "$p12" "$KZ_TMP/cert.der"
	id=$(ski_of_cert "$KZ_TMP/cert.der")
	slot=$(slot_of "${id:0:8}")
	[ -n "$slot" ] || fail "$name: no token for key ID $id" "$KZ_TMP/tokens"
	spki_of "$KZ_TMP/cert.der"
	[ "$KEY_ALG:$CURVE_HEX:$HASH_HEX" = "$kz_alg:$kz_curve:$kz_hash" ] ||
		fail "$name: unexpected key in the certificate: $KEY_ALG $CURVE_HEX $HASH_HEX"

	# Objects: the key as the certificate has it, one ID on all three.
	must "$name: -O after login" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" -O
	cp "$KZ_OUT" "$KZ_TMP/objects"
	n=$(grep -cE '^(Private|Public) Key Object;.*GOSTR3410' "$KZ_TMP/objects" || true)
	[ "$n" -eq 2 ] || fail "$name: $n GOST keys, expected a private and a public one" \
		"$KZ_TMP/objects"
	n=$(grep -c "^  PARAMS OID: *$CURVE_HEX\$" "$KZ_TMP/objects" || true)
	[ "$n" -eq 2 ] || fail "$name: $n keys with the certificate's curve $CURVE_HEX, expected 2" \
		"$KZ_TMP/objects"
	[ "$(p11_public_value "$KZ_TMP/objects")" = "$POINT_HEX" ] ||
		fail "$name: the public key VALUE is not X||Y of the certificate" "$KZ_TMP/objects"
	n=$(grep -c "^  ID: *$id\$" "$KZ_TMP/objects" || true)
	[ "$n" -eq 3 ] || fail "$name: $n objects with ID $id, expected 3" "$KZ_TMP/objects"
	ok "$name: -O shows the certificate's GOST key (curve $CURVE_HEX, X||Y) on ID $id"

	# Hash-and-sign, verified by the module; a changed message is not.
	must "$name: sign $hash_mech" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" \
		--sign -m "$hash_mech" -i "$msg" -o "$KZ_TMP/sig"
	[ "$(wc -c <"$KZ_TMP/sig")" -eq $((2 * size)) ] ||
		fail "$name: $hash_mech signature of $(wc -c <"$KZ_TMP/sig") bytes"
	p11_verifies "$name: --verify $hash_mech" "$slot" "$hash_mech" "$msg" "$KZ_TMP/sig"
	p11_rejects "$name: --verify $hash_mech of a changed message" "$slot" "$hash_mech" \
		"$changed" "$KZ_TMP/sig"
	ok "$name: --sign/--verify -m $hash_mech; a changed message is rejected"

	# The module's digest is gost-engine's.
	must "$name: --hash -m $digest_mech" p11 --slot "$slot" --hash -m "$digest_mech" \
		-i "$msg" -o "$KZ_TMP/digest"
	must "gost-engine: $md" openssl dgst -engine gost "-$md" -binary -out "$KZ_TMP/engine.digest" \
		"$msg"
	cmp -s "$KZ_TMP/digest" "$KZ_TMP/engine.digest" ||
		fail "$name: --hash -m $digest_mech differs from gost-engine's $md"
	ok "$name: --hash -m $digest_mech = openssl dgst -$md"

	# Sign-a-digest over gost-engine's digest: the module and gost-engine accept it.
	must "$name: sign $raw_mech" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" \
		--sign -m "$raw_mech" -i "$KZ_TMP/engine.digest" -o "$KZ_TMP/raw.sig"
	p11_verifies "$name: --verify $raw_mech" "$slot" "$raw_mech" "$KZ_TMP/engine.digest" \
		"$KZ_TMP/raw.sig"
	russian_pubkey "$KZ_TMP/pub.pem"
	must "$name: gost-engine pkeyutl -verify of the $raw_mech signature" \
		openssl pkeyutl -engine gost -verify -pubin -inkey "$KZ_TMP/pub.pem" \
		-in "$KZ_TMP/engine.digest" -sigfile "$KZ_TMP/raw.sig"
	has "$KZ_OUT" "Signature Verified Successfully" || fail "$name: pkeyutl -verify" "$KZ_OUT"
	must "$name: gost-engine dgst -$md -verify of the $raw_mech signature" \
		openssl dgst -engine gost "-$md" -verify "$KZ_TMP/pub.pem" \
		-signature "$KZ_TMP/raw.sig" "$msg"
	must_not "$name: gost-engine dgst -$md -verify of a changed message" \
		openssl dgst -engine gost "-$md" -verify "$KZ_TMP/pub.pem" \
		-signature "$KZ_TMP/raw.sig" "$changed"
	ok "$name: -m $raw_mech over gost-engine's $md digest, accepted by gost-engine (pkeyutl, dgst)"

	case $name in
	gost-2004/*)
		# 34.311-95 (test S-box) is not md_gost94 (CryptoPro S-box).
		must_not "$name: gost-engine dgst -md_gost94 -verify of the $hash_mech signature" \
			openssl dgst -engine gost -md_gost94 -verify "$KZ_TMP/pub.pem" \
			-signature "$KZ_TMP/sig" "$msg"
		p11_rejects "$name: --verify $hash_mech of the md_gost94 signature" "$slot" \
			"$hash_mech" "$msg" "$KZ_TMP/raw.sig"
		ok "$name: $hash_mech hashes with 34.311-95, which is not md_gost94: rejected both ways" ;;
	*)
		# Streebog-512 is one hash: either signature verifies either way.
		must "$name: gost-engine dgst -streebog512 -verify of the $hash_mech signature" \
			openssl dgst -engine gost -streebog512 -verify "$KZ_TMP/pub.pem" \
			-signature "$KZ_TMP/sig" "$msg"
		must_not "$name: gost-engine dgst -streebog512 -verify of a changed message" \
			openssl dgst -engine gost -streebog512 -verify "$KZ_TMP/pub.pem" \
			-signature "$KZ_TMP/sig" "$changed"
		p11_verifies "$name: --verify $hash_mech of the $raw_mech signature" "$slot" \
			"$hash_mech" "$msg" "$KZ_TMP/raw.sig"
		ok "$name: the $hash_mech signature verifies in gost-engine, the $raw_mech one as $hash_mech" ;;
	esac
done

finish
