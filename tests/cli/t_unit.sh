#!/usr/bin/env bash
# The systemd unit for `doorstep-office serve` (sync/dist/): its own user,
# the office directory 0700, restart on failure, logs in the journal, the
# defaults file.  systemd-analyze verify checks it without a running
# systemd (the documentation check is left to the package test, where the
# man page is installed); without systemd-analyze, a syntax check.
. "$(dirname "$0")/../lib.sh"

D=$DS_TOP/sync/dist
mkdir -p "$T/etc/doorstep"
cp "$D/office.conf" "$T/etc/doorstep/"
sed "s|@BINDIR@|$(dirname "$DOORSTEP_OFFICE")|g; s|@SYSCONFDIR@|$T/etc|g" \
    "$D/doorstep-office.service" >"$T/doorstep-office.service"
u=$T/doorstep-office.service

verify() {	# unit file: ok when it verifies (or parses) with no complaint
	if command -v systemd-analyze >/dev/null 2>&1; then
		systemd-analyze verify --man=no "$1" >"$T/v" 2>&1 && [ ! -s "$T/v" ]
	else
		# [Section] or Key=Value lines only, and the keys we rely on
		! grep -Ev '^(#.*|\[[A-Za-z]+\]|[A-Za-z]+=.*|)$' "$1" >"$T/v"
	fi
}
if verify "$u"; then ok "the unit verifies"
else not_ok "the unit verifies" "$(cat "$T/v")"; fi
sed 's/^Restart=on-failure/Restart=sometimes/' "$u" >"$T/bad.service"
if verify "$T/bad.service"; then
	not_ok "a broken unit does not verify" "the check cannot fail"
else ok "a broken unit does not verify"; fi

has "runs as its own user" "$u" '^User=doorstep-office$'
has "the office directory is 0700" "$u" '^StateDirectoryMode=0700$'
has "files it writes are private" "$u" '^UMask=0077$'
has "restarts on failure" "$u" '^Restart=on-failure$'
has "logs to the journal" "$u" '^StandardOutput=journal$'
has "reads the defaults" "$u" "^EnvironmentFile=$T/etc/doorstep/office.conf$"
has "serves on the configured address" "$u" \
    '^ExecStart=.*/doorstep-office serve --listen ${DOORSTEP_LISTEN}'
has "sysusers makes the user" "$D/sysusers.conf" '^u doorstep-office '

# The service's command line, run by hand with the defaults file's
# environment, serves the office that file names.
DOORSTEP_OFFICE_DIR=$T/office "$DOORSTEP_OFFICE" init >/dev/null
sed -i "s|^DOORSTEP_OFFICE_DIR=.*|DOORSTEP_OFFICE_DIR=$T/office|; s|^DOORSTEP_LISTEN=.*|DOORSTEP_LISTEN=127.0.0.1:0|" \
    "$T/etc/doorstep/office.conf"
(
	set -a
	. "$T/etc/doorstep/office.conf"
	set +a
	exec "$DOORSTEP_OFFICE" serve --listen "$DOORSTEP_LISTEN" $DOORSTEP_SERVE_ARGS
) >"$T/serve.out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q '^listening' "$T/serve.out" && break; sleep 0.1; done
has "serve starts with the defaults file's settings" "$T/serve.out" \
    '^listening on 127.0.0.1:'
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ]; then ok "serve stops cleanly on SIGTERM"
else not_ok "serve stops cleanly on SIGTERM" "exit $rc"; fi

# Without --dir or DOORSTEP_OFFICE_DIR the commands take the office from
# office.conf (DOORSTEP_SYSCONFDIR stands for /etc/doorstep here).
DOORSTEP_SYSCONFDIR=$T/etc/doorstep check "office.conf names the office" \
    "$DOORSTEP_OFFICE" devices
DOORSTEP_SYSCONFDIR=$T/none check_fail "no office.conf, no office" 64 \
    "$DOORSTEP_OFFICE" devices

# A missing office directory: one message, exit 64, from every command.
for c in "init" "import x.dsb" "devices" "enroll 0a1b2c3d" "revoke 0a1b2c3d" \
    "conflicts" "resolve 0a1b2c3d" "release 0a1b2c3d" "report quality" \
    "report monthly --month 2026-05 --out r.csv" "serve" \
    "export --format csv --out x.csv"; do
	# shellcheck disable=SC2086
	DOORSTEP_SYSCONFDIR=$T/none check_fail "office $c without a directory: 64" \
	    64 "$DOORSTEP_OFFICE" --lang en $c
	has "office $c without a directory: the one message" "$T/.out" \
	    "^doorstep-office ${c%% *}: no office directory: use --dir DIR, set DOORSTEP_OFFICE_DIR, or set DOORSTEP_OFFICE_DIR in $T/none/office.conf"
done
DOORSTEP_SYSCONFDIR=$T/none check_fail "in Chinese too" 64 "$DOORSTEP_OFFICE" \
    --lang zh report quality
has "a missing office directory in Chinese" "$T/.out" "没有办公室目录"
