#!/usr/bin/env bash
# `make demo` without the screen: the demo script builds an office and a
# workspace, installs the household form and fills the sample households;
# `doorstep records` then lists every one of them.  Skips (one "# SKIP" line)
# until the build has the `fill` command.
. "$(dirname "$0")/../lib.sh"

if ! "$DOORSTEP" --help 2>&1 | grep -Eq '^[[:space:]]+fill([[:space:]]|$)'; then
	ok "demo workspace # SKIP no fill command in this build"
	exit 0
fi
want=$(ls "$DS_TOP"/forms/demo/household-*.json | wc -l)
check "demo script runs" env DOORSTEP_BIN="$(dirname "$DOORSTEP")" \
    DOORSTEP_DEMO_DIR="$T/demo" DOORSTEP_DEMO_NO_TUI=1 DOORSTEP_LANG=en \
    sh "$DS_TOP/forms/demo/demo.sh"
has "demo prints its passphrase" "$T/.out" 'demo passphrase: doorstep-demo'
no_zh "demo speaks English only" "$T/.out"
check "demo script runs in Chinese" env DOORSTEP_BIN="$(dirname "$DOORSTEP")" \
    DOORSTEP_DEMO_DIR="$T/demo" DOORSTEP_DEMO_NO_TUI=1 LANG=zh_CN.UTF-8 \
    DOORSTEP_LANG= LC_ALL= LC_MESSAGES= sh "$DS_TOP/forms/demo/demo.sh"
has "demo prints its passphrase in Chinese" "$T/.out" '演示口令：doorstep-demo'
hasnt "demo speaks Chinese only" "$T/.out" "passphrase\|sample households"
DOORSTEP_PASSPHRASE=doorstep-demo "$DOORSTEP" --workspace "$T/demo/workspace" records \
    >"$T/records.out" 2>&1
n=$(grep -c 'finalized .*household@' "$T/records.out" || true)
if [ "$n" -eq "$want" ]; then ok "demo workspace holds the $want sample households"
else not_ok "demo records" "$n of $want households listed"; sed 's/^/    /' "$T/records.out" | head; fi

# The last step of `make demo`: the app opens on the demo workspace's
# unlock screen, which shows the passphrase; typed, it lists the sample
# households.
. "$DS_TOP/tests/screens/tmux.sh"
tm_start 100 30 LANG=C.UTF-8 DOORSTEP_BIN="$(dirname "$DOORSTEP")" \
    DOORSTEP_DEMO_DIR="$T/demo2" -- sh "$DS_TOP/forms/demo/demo.sh"
tm_check "the demo's unlock screen shows the passphrase" \
    "Demo workspace: the passphrase is doorstep-demo"
tm_type doorstep-demo
tm_keys Enter
tm_wait "F10" 10
if tm_screen | grep -qE 'Households|户数|No households'; then
	tm_check "demo opens the app unlocked on the sample households" "张建国"
	tm_check "demo lists the village of each household" "西圩村"
else
	ok "demo household list # SKIP the app has no household list in this build"
fi
tm_keys F10
if tm_wait_exit 10; then ok "demo app quits with F10"
else not_ok "demo app quits with F10" "still running"; fi
