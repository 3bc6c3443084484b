#!/bin/sh
# The kzp11 demo: make two sample NCA-format key containers, show them as
# PKCS#11 tokens with pkcs11-tool, log in, sign, and verify the signature
# with openssl.  Everything happens in ./demo; nothing is installed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
module=$top/.libs/kzp11.so
mkcontainer=$top/tests/fixtures/kzp11-mkcontainer
demo=$top/demo
password=Qwerty12

[ -f "$module" ] || { echo "build kzp11 first (./quickstart)" >&2; exit 1; }
rm -rf "$demo"
mkdir -p "$demo/keys" "$demo/cache"

# Keep the demo away from the user's own keys, config and cache.
KZP11_KEYS=$demo/keys
KZP11_CONF=/dev/null
XDG_CACHE_HOME=$demo/cache
export KZP11_KEYS KZP11_CONF XDG_CACHE_HOME

step() { printf '\n== %s\n' "$*"; }
p11() { pkcs11-tool --module "$module" "$@"; }

step "1. Sample containers, in the format NCA issues (password $password)"
"$mkcontainer" --kind auth --holder "ТЕСТОВ ТЕСТ" --iin 123456789011 "$demo/keys" >/dev/null
sign_file=$("$mkcontainer" --kind sign --holder "ТЕСТОВ ТЕСТ" --iin 123456789011 "$demo/keys")
ls -l "$demo/keys"/*.p12

step "2. Each container is a token (pkcs11-tool -L)"
p11 -L

sign_id=$(basename "$sign_file" .p12 | sed 's/^.*_//')
sign_slot=$(p11 -L | awk -v id="${sign_id%"${sign_id#????????}"}" '
	/^Slot [0-9]+/ { slot = $2 }
	/token label/ && index($0, id) { print slot; exit }')
echo "signing key ${sign_id} is in slot ${sign_slot}"

step "3. Log in with the container password and list its objects"
p11 --slot "$sign_slot" --login --pin "$password" --list-objects

step "4. Sign a document with SHA256-RSA-PKCS"
printf 'Hello from kzp11: signed with an NCA-format key.\n' >"$demo/document.txt"
p11 --slot "$sign_slot" --login --pin "$password" --sign --mechanism SHA256-RSA-PKCS \
	--id "$sign_id" --input-file "$demo/document.txt" --output-file "$demo/document.sig"

step "5. Verify the signature with openssl and the certificate from the token"
p11 --slot "$sign_slot" --read-object --type cert --id "$sign_id" --output-file "$demo/cert.der"
openssl x509 -inform DER -in "$demo/cert.der" -noout -nameopt oneline,-esc_msb -subject -enddate
openssl x509 -inform DER -in "$demo/cert.der" -pubkey -noout >"$demo/pub.pem"
openssl dgst -sha256 -verify "$demo/pub.pem" -signature "$demo/document.sig" "$demo/document.txt"

step "Done"
cat <<EOT
The module is $module.  To use it with your own keys system-wide:
  sudo make install          # registers kzp11 with p11-kit
then see README.md for Firefox, Chromium, OpenSSL and pkcs11-tool.
EOT
