#!/usr/bin/env bash
# `make package-test` (CI, through the README's test command): build the two
# Debian packages with dpkg-buildpackage from a scratch copy of the tree,
# unpack them in a scratch root (dpkg-deb -x: maintainer scripts need a real
# root), check what they hold, and run one journey from the installed
# paths: office init (the directory from the packaged office.conf), laptop
# init, fill with the shipped form, sync export, office import, reports, an
# export; the help in Chinese from the installed translations; the demo
# from its installed place.  Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/../lib.sh"
pass=0
fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok $1: ${2:-}"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

# 1. Build from a copy: the tree's own build/ is left alone.
mkdir -p "$T/src/doorstep"
(cd "$DS_TOP" && tar --exclude=./build --exclude=./.git --exclude=./doorstep \
    --exclude=./doorstep-office -cf - .) | tar -xf - -C "$T/src/doorstep"
if (cd "$T/src/doorstep" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -b -uc -us) >"$T/build.log" 2>&1; then
	ok "dpkg-buildpackage builds"
else
	not_ok "dpkg-buildpackage builds" "$(tail -n 20 "$T/build.log")"
	finish
fi
deb=$(ls "$T"/src/doorstep_*.deb 2>/dev/null | head -1)
odeb=$(ls "$T"/src/doorstep-office_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] && ok "the doorstep package" || not_ok "the doorstep package"
[ -f "$odeb" ] && ok "the doorstep-office package" ||
    not_ok "the doorstep-office package"
[ -f "$deb" ] && [ -f "$odeb" ] || finish

# 2. What each package holds.
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$T/deb.list"
dpkg-deb -c "$odeb" | awk '{ print $6 }' >"$T/odeb.list"
for f in ./usr/bin/doorstep ./usr/share/doorstep/forms/household.md \
    ./usr/share/doorstep/forms/village.csv ./usr/share/doorstep/demo/demo.sh \
    ./usr/share/locale/zh_CN/LC_MESSAGES/doorstep.mo \
    ./usr/share/man/man1/doorstep.1.gz; do
	grep -qx "$f" "$T/deb.list" && ok "doorstep holds $f" ||
	    not_ok "doorstep holds $f" "not in $(basename "$deb")"
done
for f in ./usr/bin/doorstep-office ./etc/doorstep/office.conf \
    ./lib/systemd/system/doorstep-office.service \
    ./usr/lib/sysusers.d/doorstep-office.conf \
    ./usr/share/man/man1/doorstep-office.1.gz; do
	grep -qx "$f" "$T/odeb.list" && ok "doorstep-office holds $f" ||
	    not_ok "doorstep-office holds $f" "not in $(basename "$odeb")"
done
if grep -q '^/etc/doorstep/office.conf$' \
    <(dpkg-deb --ctrl-tarfile "$odeb" | tar -xOf - ./conffiles); then
	ok "office.conf is a conffile"
else not_ok "office.conf is a conffile"; fi
if dpkg-deb -f "$odeb" Depends | grep -q 'doorstep (= '; then
	ok "doorstep-office depends on the same doorstep"
else not_ok "doorstep-office depends on the same doorstep"; fi
dpkg-deb --ctrl-tarfile "$odeb" | tar -xOf - ./postinst >"$T/postinst"
if grep -q 'adduser --system' "$T/postinst" && sh -n "$T/postinst"; then
	ok "postinst makes the service user"
else not_ok "postinst makes the service user"; fi

# 3. Unpack both into a scratch root; the programs have /usr paths
# compiled in, so the environment points them at the root.
R=$T/root
dpkg-deb -x "$deb" "$R" && dpkg-deb -x "$odeb" "$R"
export DOORSTEP_DATADIR=$R/usr/share/doorstep
export DOORSTEP_LOCALEDIR=$R/usr/share/locale
mkdir -p "$T/etc"
sed "s|^DOORSTEP_OFFICE_DIR=.*|DOORSTEP_OFFICE_DIR=$T/office|" \
    "$R/etc/doorstep/office.conf" >"$T/etc/office.conf"
export DOORSTEP_SYSCONFDIR=$T/etc
B=$R/usr/bin
unit=$R/lib/systemd/system/doorstep-office.service
grep -q "^ExecStart=/usr/bin/doorstep-office serve" "$unit" &&
    grep -q '^User=doorstep-office' "$unit" &&
    grep -q '^StateDirectoryMode=0700' "$unit" &&
    grep -q '^Restart=on-failure' "$unit" &&
    grep -q '^EnvironmentFile=/etc/doorstep/office.conf' "$unit" &&
    ok "the unit: its user, 0700, restart, installed paths" ||
    not_ok "the unit: its user, 0700, restart, installed paths" "$(cat "$unit")"

# The installed unit, with its binary and man page in the scratch root.
sed "s|/usr/bin/|$R/usr/bin/|; s|/etc/doorstep/|$R/etc/doorstep/|" "$unit" \
    >"$T/doorstep-office.service"
if MANPATH=$R/usr/share/man systemd-analyze verify \
    "$T/doorstep-office.service" >"$T/v" 2>&1 && [ ! -s "$T/v" ]; then
	ok "systemd-analyze verifies the installed unit"
else not_ok "systemd-analyze verifies the installed unit" "$(cat "$T/v")"; fi

run() {	# name, command...: ok if it succeeds
	local name=$1; shift
	if "$@" >"$T/out" 2>&1; then ok "$name"
	else not_ok "$name" "$(tail -n 10 "$T/out")"; fi
}
export DOORSTEP_PASSPHRASE=package-test-pass
run "office init from office.conf's directory" "$B/doorstep-office" init
[ "$(stat -c %a "$T/office")" = 700 ] && ok "the office directory is 0700" ||
    not_ok "the office directory is 0700"
# An installed build has no test-only KDF cost (docs/keys.md).
"$B/doorstep" --workspace "$T/ws" init --office-key \
    "$T/office/office-public.key" --worker tester --kdf-cost min >"$T/out" 2>&1
[ $? -eq 64 ] && [ ! -e "$T/ws/keyring" ] &&
    ok "the installed doorstep refuses --kdf-cost min" ||
    not_ok "the installed doorstep refuses --kdf-cost min" "$(cat "$T/out")"
run "laptop init (DOORSTEP_KDF_COST=min is ignored)" env DOORSTEP_KDF_COST=min \
    "$B/doorstep" --workspace "$T/ws" init \
    --office-key "$T/office/office-public.key" --worker tester
grep -q 'DOORSTEP_KDF_COST=min' "$T/out" && ok "it says the variable is ignored" ||
    not_ok "it says the variable is ignored" "$(cat "$T/out")"
mem=$(sed -n 's/^kdf-mem //p' "$T/ws/keyring")
[ "${mem:-0}" -ge 67108864 ] && ok "the keyring is at full cost ($mem bytes)" ||
    not_ok "the keyring is at full cost" "kdf-mem $mem"
# A keyring below the floor (made by the build in the tree) is refused at
# unlock, and passwd protects it at full cost.
"$DOORSTEP" --workspace "$T/weak" init \
    --office-key "$T/office/office-public.key" --worker weak --kdf-cost min \
    >/dev/null 2>&1 || not_ok "a test build makes a weak keyring" "$DOORSTEP"
"$B/doorstep" --workspace "$T/weak" --lang en sync status >"$T/out" 2>&1
[ $? -eq 1 ] && grep -q 'test-only one' "$T/out" &&
    ok "the installed doorstep refuses a keyring below the floor" ||
    not_ok "the installed doorstep refuses a keyring below the floor" \
    "$(cat "$T/out")"
run "passwd protects it at full cost" env \
    DOORSTEP_NEW_PASSPHRASE=package-test-pass2 "$B/doorstep" --workspace \
    "$T/weak" passwd
run "then it opens" env DOORSTEP_PASSPHRASE=package-test-pass2 \
    "$B/doorstep" --workspace "$T/weak" sync status
run "fill with the shipped form" "$B/doorstep" --workspace "$T/ws" fill \
    "$DOORSTEP_DATADIR/forms/household.md" \
    --answers "$DOORSTEP_DATADIR/demo/household-1.json" --finalize
run "sync export" "$B/doorstep" --workspace "$T/ws" sync export --out "$T/usb"
run "office import holds the new laptop's bundle" "$B/doorstep-office" \
    import "$T/usb"
fpr=$("$B/doorstep" --workspace "$T/ws" --lang en sync status |
    sed -n 's/^fingerprint: \([0-9 ]*\) (.*/\1/p')
run "enroll the laptop" "$B/doorstep-office" --lang en enroll \
    --fingerprint "$fpr" \
    "$(find "$T/usb" -name '*.dsb' | head -1)"
grep -q 'imported' "$T/out" && ok "the held bundle was imported" ||
    not_ok "the held bundle was imported" "$(cat "$T/out")"
run "monthly report" "$B/doorstep-office" report monthly --month 2024-09 \
    --out "$T/m.csv"
# Area names from the shipped forms: the office keeps no forms here.
grep -q '水阳镇,341802101201,东湖村' "$T/m.csv" && ok "the report names villages from the shipped lists" ||
    not_ok "the report names villages from the shipped lists" "$(head -5 "$T/m.csv")"
run "problem list" "$B/doorstep-office" report quality
run "export" "$B/doorstep-office" export --format xlsx --out "$T/hh.xlsx"
run "help in Chinese from the installed translations" \
    "$B/doorstep-office" --lang zh help import
grep -q '^示例：' "$T/out" && ok "the installed catalogue answers" ||
    not_ok "the installed catalogue answers" "$(cat "$T/out")"
if MANWIDTH=80 man -l "$R/usr/share/man/man1/doorstep-office.1.gz" 2>&1 |
    grep -q 'EXIT STATUS'; then ok "the installed man page reads"
else not_ok "the installed man page reads"; fi
run "the demo from its installed place" env DOORSTEP_BIN="$B" \
    DOORSTEP_DEMO_DIR="$T/demo" DOORSTEP_DEMO_NO_TUI=1 \
    sh "$DOORSTEP_DATADIR/demo/demo.sh"
finish
