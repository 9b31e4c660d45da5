#!/usr/bin/env bash
# TLS end to end: a CA and server certificate made with openssl at test
# time, `doorstep-office serve --cert --key`, and `doorstep sync push
# https://` from the demo laptop trusting that CA (--cacert,
# DOORSTEP_CA_FILE) and the printed pin.  Then everything that must fail:
# no CA, another CA's server certificate, a wrong pin, http:// to a TLS
# port and https:// to a plain one (nothing reaches the office, nothing is
# acknowledged); serve with missing, malformed, mismatched, encrypted or
# expired certificate files (exit 1, a message naming the problem); and a
# stalled TLS handshake that must neither block a real push nor keep its
# connection past --timeout.
. "$(dirname "$0")/../lib.sh"

if ! command -v openssl >/dev/null; then
	not_ok "openssl for test certificates" "not installed: make deps"
	exit 0
fi
if ! "$DOORSTEP" --help 2>&1 | grep -q '^  fill '; then
	echo "# SKIP tls end to end: doorstep fill is not in this build"
	exit 0
fi

C=$T/certs
mkdir -p "$C"
# ca NAME: a self-signed CA; srv NAME CA: a server certificate for
# 127.0.0.1 signed by CA.  P-256 keys: quick to make.
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$C/$1.key" -out "$C/$1.pem" -days 2 \
	    -subj "/CN=doorstep test $1" >/dev/null 2>&1
}
srv() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$C/$1.key" -out "$C/$1.csr" -subj "/CN=127.0.0.1" \
	    >/dev/null 2>&1 &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	    >"$C/$1.ext" &&
	openssl x509 -req -in "$C/$1.csr" -CA "$C/$2.pem" -CAkey "$C/$2.key" \
	    -CAcreateserial -days 2 -extfile "$C/$1.ext" -out "$C/$1.pem" \
	    >/dev/null 2>&1
}
check "make the office CA" ca ca
check "make the server certificate" srv srv ca
check "make another CA" ca ca2
check "make a server certificate from the other CA" srv srv2 ca2
pin=sha256//$(openssl x509 -in "$C/srv.pem" -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
badpin=sha256//$(openssl x509 -in "$C/srv2.pem" -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)

D=$T/demo
export DOORSTEP_PASSPHRASE=doorstep-demo
check "demo office and laptop with three households" env \
    DOORSTEP_DEMO_NO_TUI=1 DOORSTEP_DEMO_DIR="$D" \
    DOORSTEP_BIN="$(dirname "$DOORSTEP")" sh "$DS_TOP/forms/demo/demo.sh"
# English unless a check says --lang zh (the last --lang wins).
W=("$DOORSTEP" --workspace "$D/workspace" --lang en)
export DOORSTEP_SYNC_BACKOFF_MS=10
unset DOORSTEP_CA_FILE

# serve ARGS...: start the office server on a free port; $port, $spid.
spid=
serve() {
	: >"$T/serve.out"
	owned "$DOORSTEP_OFFICE" serve --dir "$D/office" --listen 127.0.0.1:0 "$@" \
	    >"$T/serve.out" 2>&1 &
	spid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' \
		    "$T/serve.out")
		[ -n "$port" ] && return 0
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	not_ok "serve $*" "did not start: $(cat "$T/serve.out")"
	return 1
}
unserve() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		spid=
	fi
}
trap 'unserve; rm -rf "$T"' EXIT

acked() {	# name want: the laptop's acknowledged count
	"${W[@]}" sync status >"$T/st.out" 2>&1
	local n
	n=$(sed -n 's/^  acknowledged *//p' "$T/st.out")
	[ "$n" = "$2" ] && ok "$1" || not_ok "$1" "acknowledged '$n', want $2"
}
office_saw_nothing() {
	"$DOORSTEP_OFFICE" devices --dir "$D/office" >"$T/dev.out" 2>&1
	if grep -q '^[0-9a-f]\{32\} ' "$T/dev.out"; then
		not_ok "$1" "the office knows a device: $(cat "$T/dev.out")"
	else
		ok "$1"
	fi
}

# ---- the laptop refuses servers it cannot trust -------------------------
chmod 644 "$C/srv.key"
serve --cert "$C/srv.pem" --key "$C/srv.key"
has "serve warns about a key others can read" "$T/serve.out" \
    "warning: the key file .*srv.key can be read by other users; chmod 600"
unserve
chmod 600 "$C/srv.key"
serve --cert "$C/srv.pem" --key "$C/srv.key" --timeout 3
grep -q warning "$T/serve.out" && not_ok "no warning for a 0600 key" ||
    ok "no warning for a 0600 key"
has "serve says https" "$T/serve.out" "^listening on 127.0.0.1:$port (https)$"
has "serve prints the certificate's pin (as openssl computes it)" \
    "$T/serve.out" "^certificate public-key pin: $pin$"
U=https://127.0.0.1:$port
check_fail "push without the office CA fails" 1 "${W[@]}" --lang en \
    sync push "$U"
has "it says the connection could not be trusted" "$T/.out" \
    "could not be trusted"
has "it says the answers are safe" "$T/.out" "answers are safe"
has "it says what to do" "$T/.out" "certificate file (ca.pem)"
no_zh "in English only" "$T/.out"
check_fail "push without the office CA fails (zh)" 1 "${W[@]}" --lang zh \
    sync push "$U"
has "it says it in Chinese" "$T/.out" "无法确认办公室服务器的身份"
has "it says the answers are safe (zh)" "$T/.out" "答案仍安全保存在本机"
has "it says what to do (zh)" "$T/.out" "证书文件（ca.pem）"
hasnt "in Chinese only" "$T/.out" "could not be trusted\|answers are safe"
grep -q "after [0-9]* tries" "$T/.out" &&
    not_ok "an untrusted server is not retried" "$(cat "$T/.out")" ||
    ok "an untrusted server is not retried"
check_fail "push trusting another CA fails" 1 "${W[@]}" sync push \
    --cacert "$C/ca2.pem" "$U"
has "certificate not trusted" "$T/.out" "certificate is not trusted"
check_fail "DOORSTEP_CA_FILE with another CA fails" 1 env \
    DOORSTEP_CA_FILE="$C/ca2.pem" "${W[@]}" sync push "$U"
has "env CA: not trusted" "$T/.out" "could not be trusted"
check_fail "push with a missing CA file fails" 1 "${W[@]}" --lang en \
    sync push --cacert "$C/nothere.pem" "$U"
has "missing CA file is named" "$T/.out" \
    "certificate file .*nothere.pem cannot be read"
has "missing CA file: answers safe" "$T/.out" "answers are safe"
has "missing CA file: what to do" "$T/.out" "name it with --cacert"
no_zh "missing CA file: in English only" "$T/.out"
check_fail "push with a missing CA file fails (zh)" 1 \
    "${W[@]}" --lang zh sync push --cacert "$C/nothere.pem" "$U"
has "missing CA file is named (zh)" "$T/.out" "证书文件 .*nothere.pem"
has "missing CA file: answers safe (zh)" "$T/.out" "答案仍安全保存在本机"
has "missing CA file: what to do (zh)" "$T/.out" "复制到本机.*--cacert"
hasnt "missing CA file: in Chinese only" "$T/.out" "answers are safe\|cannot be read"
check_fail "right CA, wrong pin fails" 1 "${W[@]}" sync push \
    --cacert "$C/ca.pem" --pin "$badpin" "$U"
has "the pin is named" "$T/.out" "does not match the pin"
check_fail "a pin that is not sha256// is a usage error" 64 "${W[@]}" \
    sync push --cacert "$C/ca.pem" --pin "md5//x" "$U"
check_fail "plain http:// to the TLS port fails" 1 "${W[@]}" sync push \
    --tries 2 "http://127.0.0.1:$port"
has "it suggests https://" "$T/.out" "use https://"
has "http failure: answers safe" "$T/.out" "answers are safe"
check_fail "ack over https without the CA fails" 1 "${W[@]}" sync ack "$U"
has "ack: could not be trusted" "$T/.out" "could not be trusted"
check_fail "ack from a file takes no --cacert" 64 "${W[@]}" sync ack \
    --cacert "$C/ca.pem" "$T/some.rcpt"
unserve

serve --cert "$C/srv2.pem" --key "$C/srv2.key"
check_fail "server certificate from another CA fails" 1 "${W[@]}" sync push \
    --cacert "$C/ca.pem" "https://127.0.0.1:$port"
has "other CA: could not be trusted" "$T/.out" "could not be trusted"
unserve

serve
has "plain serve says http" "$T/serve.out" "^listening on 127.0.0.1:$port (http)$"
check_fail "https:// to a plain port fails" 1 "${W[@]}" sync push \
    --tries 2 --cacert "$C/ca.pem" "https://127.0.0.1:$port"
has "it asks whether the office serves https" "$T/.out" \
    "does the office serve https"
unserve
office_saw_nothing "no bundle reached the office"
acked "nothing acknowledged after the failures" 0
has "all three still pending" "$T/st.out" "^pending: 3 record(s)"

# ---- a stalled handshake blocks nobody; the real push goes through ------
serve --cert "$C/srv.pem" --key "$C/srv.key" --timeout 3
U=https://127.0.0.1:$port
exec 3<>"/dev/tcp/127.0.0.1/$port"	# connects, says nothing
exec 4<>"/dev/tcp/127.0.0.1/$port"	# starts a ClientHello, stalls
printf '\026\003\001\002\000\001' >&4
check "push with the CA and the right pin" "${W[@]}" sync push \
    --cacert "$C/ca.pem" --pin "$pin" "$U"
has "the office holds the new device's bundle" "$T/.out" "office answer: held"
dev=$("$DOORSTEP_OFFICE" devices --dir "$D/office" |
    sed -n 's/^\([0-9a-f]\{32\}\)  *pending .*/\1/p')
[ -n "$dev" ] && ok "device listed as pending" || not_ok "device listed as pending"
check "office enrolls the laptop" "$DOORSTEP_OFFICE" enroll --dir "$D/office" \
    --fingerprint "$(fingerprint "$D/workspace")" "$dev"
check "push again, CA from DOORSTEP_CA_FILE" env DOORSTEP_CA_FILE="$C/ca.pem" \
    "${W[@]}" sync push "$U"
has "the verified receipt acknowledges through 3" "$T/.out" \
    "acknowledged through 3"
acked "sync status: three acknowledged" 3
has "sync status: nothing pending" "$T/st.out" "^pending: nothing"
check "ack state over https with CA and pin" "${W[@]}" sync ack \
    --cacert "$C/ca.pem" --pin "$pin" "$U"
has "ack state read" "$T/.out" "acknowledged through 3"
check_fail "ack state with a wrong pin fails" 1 "${W[@]}" sync ack \
    --cacert "$C/ca.pem" --pin "$badpin" "$U"
has "ack: the pin is named" "$T/.out" "does not match the pin"
# The server closes both stalled connections after --timeout (EOF, read
# status 1; a read that times out returns more than 128).
read -r -t 10 -u 3 _; r3=$?
read -r -t 10 -u 4 _; r4=$?
exec 3<&- 4<&-
[ "$r3" -eq 1 ] && ok "silent connection closed after the timeout" ||
    not_ok "silent connection closed after the timeout" "read status $r3"
[ "$r4" -eq 1 ] && ok "stalled handshake closed after the timeout" ||
    not_ok "stalled handshake closed after the timeout" "read status $r4"
# Only TLS 1.2 and 1.3 with AEAD ciphers, even for a client that would
# accept less (SECLEVEL=0).
tlsv() {	# name want(ok|fail) s_client-args...
	local name=$1 want=$2 got=fail
	shift 2
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -CAfile "$C/ca.pem" "$@" >"$T/sc.out" 2>&1
	grep -q "Cipher is [A-Z]" "$T/sc.out" && got=ok
	[ "$got" = "$want" ] && ok "$name" ||
	    not_ok "$name" "$(grep -m1 'Cipher is' "$T/sc.out")"
}
tlsv "TLS 1.3 accepted" ok -tls1_3
tlsv "TLS 1.2 accepted" ok -tls1_2
tlsv "TLS 1.1 refused" fail -tls1_1 -cipher DEFAULT@SECLEVEL=0
tlsv "TLS 1.0 refused" fail -tls1 -cipher DEFAULT@SECLEVEL=0
tlsv "CBC cipher suite refused" fail -tls1_2 \
    -cipher ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA
kill -0 "$spid" 2>/dev/null && ok "server still running" ||
    not_ok "server still running"
kill "$spid"
wait "$spid"
r=$?
spid=
[ "$r" -eq 0 ] && ok "serve stops cleanly on SIGTERM (no leak under ASan)" ||
    not_ok "serve stops cleanly on SIGTERM (no leak under ASan)" "exit $r"
has "serve says stopped" "$T/serve.out" "^stopped$"

# ---- an RSA certificate works the same ---------------------------------
openssl req -new -newkey rsa:2048 -nodes -keyout "$C/rsa.key" \
    -out "$C/rsa.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1
openssl x509 -req -in "$C/rsa.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
    -CAcreateserial -days 2 -extfile "$C/srv.ext" -out "$C/rsa.pem" \
    >/dev/null 2>&1
chmod 600 "$C/rsa.key"
rsapin=sha256//$(openssl x509 -in "$C/rsa.pem" -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
serve --cert "$C/rsa.pem" --key "$C/rsa.key"
has "RSA: serve prints the pin openssl computes" "$T/serve.out" \
    "^certificate public-key pin: $rsapin$"
check "RSA: ack state with CA and pin" "${W[@]}" sync ack \
    --cacert "$C/ca.pem" --pin "$rsapin" "https://127.0.0.1:$port"
unserve

# ---- serve refuses bad certificate files ---------------------------------
sv() {	# name want-exit message-pattern serve-args...
	local name=$1 want=$2 pat=$3
	shift 3
	check_fail "$name" "$want" timeout 20 "$DOORSTEP_OFFICE" serve \
	    --dir "$D/office" --listen 127.0.0.1:0 "$@"
	has "$name: says why" "$T/.out" "$pat"
	grep -q "^listening" "$T/.out" && not_ok "$name: never listens"
}
printf -- '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n' \
    >"$C/garbage.pem"
head -c 200 "$C/srv.pem" >"$C/cut.pem"
openssl pkey -in "$C/srv.key" -aes256 -passout pass:x -out "$C/enc.key" 2>/dev/null
: >"$C/empty.pem"
sv "serve: missing certificate file" 1 "--cert .*nothere.pem: no such file" \
    --cert "$C/nothere.pem" --key "$C/srv.key"
sv "serve: missing key file" 1 "--key .*nothere.key: no such file" \
    --cert "$C/srv.pem" --key "$C/nothere.key"
sv "serve: malformed certificate" 1 "certificate file: no PEM certificate" \
    --cert "$C/garbage.pem" --key "$C/srv.key"
sv "serve: truncated certificate" 1 "certificate file: no PEM certificate" \
    --cert "$C/cut.pem" --key "$C/srv.key"
sv "serve: empty certificate file" 1 "certificate file: no PEM certificate" \
    --cert "$C/empty.pem" --key "$C/srv.key"
sv "serve: a key given as the certificate" 1 "no PEM certificate" \
    --cert "$C/srv.key" --key "$C/srv.key"
sv "serve: a certificate given as the key" 1 "key file: no PEM private key" \
    --cert "$C/srv.pem" --key "$C/srv.pem"
sv "serve: key of another certificate" 1 "key does not belong to the certificate" \
    --cert "$C/srv.pem" --key "$C/srv2.key"
sv "serve: password-protected key" 1 "protected by a password" \
    --cert "$C/srv.pem" --key "$C/enc.key"
sv "serve: certificate without key" 1 "needs both --cert FILE and --key FILE" \
    --cert "$C/srv.pem"
future=$(($(date +%s) + 10 * 86400))
DOORSTEP_FAKE_NOW=$future sv "serve: expired certificate" 1 \
    "certificate expired on" --cert "$C/srv.pem" --key "$C/srv.key"
past=$(($(date +%s) - 10 * 86400))
DOORSTEP_FAKE_NOW=$past sv "serve: certificate not yet valid" 1 \
    "not valid before" --cert "$C/srv.pem" --key "$C/srv.key"
check_fail "serve: --timeout 0 is a usage error" 64 "$DOORSTEP_OFFICE" serve \
    --dir "$D/office" --timeout 0
