#!/bin/sh
# Remake the TLS test fixtures (tests/unit/test_tls.c): an office CA, a
# server certificate for 127.0.0.1 signed by it, and a second CA's server
# certificate.  Valid 2000-2125, so the tests never depend on the clock;
# the CA keys are thrown away.  Test-only keys: never use them for real.
set -eu
cd "$(dirname "$0")"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
conf() {	# the minimal `openssl ca` configuration
	cat >"$w/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $w/index
new_certs_dir = $w
serial = $w/serial
default_md = sha256
policy = p
copy_extensions = none
unique_subject = no
[p]
commonName = supplied
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_srv]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
authorityKeyIdentifier = keyid
CNF
	: >"$w/index"
	echo 1000 >"$w/serial"
}
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
sign() {	# csr out ca-name extensions
	openssl ca -batch -notext -config "$w/ca.cnf" -keyfile "$w/$3.key" \
	    -cert "$w/$3.pem" -in "$1" -out "$2" \
	    -startdate 20000101000000Z -enddate 21250101000000Z -extensions "$4" \
	    2>/dev/null
}
mkca() {	# name
	key "$w/$1.key"
	openssl req -new -key "$w/$1.key" -subj "/CN=doorstep test $1" -out "$w/$1.csr"
	openssl ca -batch -notext -selfsign -config "$w/ca.cnf" \
	    -keyfile "$w/$1.key" -in "$w/$1.csr" -out "$w/$1.pem" \
	    -startdate 20000101000000Z -enddate 21250101000000Z \
	    -extensions v3_ca 2>/dev/null
	cp "$w/$1.pem" "$1.pem"
}
mksrv() {	# name ca
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=127.0.0.1" -out "$w/$1.csr"
	sign "$w/$1.csr" "$1.pem" "$2" v3_srv
}
conf
mkca ca
mksrv server ca
mkca ca2
mksrv other ca2
chmod 644 ./*.pem ./*.key
for f in server other; do
	printf '%s sha256//%s\n' "$f" "$(openssl x509 -in "$f.pem" -pubkey -noout |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	    openssl base64)"
done
