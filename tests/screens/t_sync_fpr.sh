#!/usr/bin/env bash
# Issue 13.  The sync screen shows this laptop's fingerprint (in English and
# in Chinese), the one `doorstep sync status` prints and the office's enroll
# requires; and the passphrase
# given in DOORSTEP_PASSPHRASE leaves the environment once read.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/sync.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
f=$(fingerprint "$W" --passphrase-file "$T/pass")
[ -n "$f" ] && ok cli_fingerprint || not_ok cli_fingerprint "none"
sync_app "$W"
tm_keys F9
tm_check sync_screen "Sync with the township office"
tm_check fingerprint_shown "This laptop's fingerprint: $f"
tm_stop
# The same words in Chinese.
app_zh "$W"
tm_wait "农户："
tm_keys F9
tm_check zh_sync_screen "与乡镇办公室同步"
tm_check zh_fingerprint_shown "本机指纹：$f"
tm_stop

# DOORSTEP_PASSPHRASE is taken out of the environment once read: the
# unlocked app's /proc/PID/environ no longer holds it.
tm_start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" \
    "DOORSTEP_PASSPHRASE=$(cat "$T/pass")" -- \
    "$DOORSTEP" --workspace "$W"
tm_check unlocked_by_env "Households:"
pid=$(tm_pid)
if [ -z "$pid" ] || [ ! -r "/proc/$pid/environ" ]; then
	not_ok passphrase_gone_from_environ "no process to look at"
elif tr '\0' '\n' <"/proc/$pid/environ" | grep -q "DOORSTEP_PASSPHRASE\|$(cat "$T/pass")"; then
	not_ok passphrase_gone_from_environ "still in /proc/$pid/environ"
else
	ok passphrase_gone_from_environ
fi
