#!/bin/sh
# `make demo`: a demo office and laptop workspace with the default household
# form and a few synthetic households, then the app, unlocked.
#
# Runs from the source tree (forms/demo/demo.sh, programs in build/rel) and
# from an install (/usr/share/doorstep/demo/demo.sh, programs on PATH, forms
# in /usr/share/doorstep/forms).  DOORSTEP_BIN names the programs'
# directory.  Everything lives under DOORSTEP_DEMO_DIR (default build/demo
# in the tree, ~/.cache/doorstep-demo installed) and is recreated on every
# run.  The passphrase is public and the key derivation uses the minimum
# cost: this workspace is for trying the app, never for real households.
# DOORSTEP_DEMO_NO_TUI=1 stops before opening the app (tests/forms/t_demo.sh
# uses it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/../household.md" ]; then		# the source tree
	forms=$(cd "$here/.." && pwd)
	top=$(cd "$here/../.." && pwd)
	bin=${DOORSTEP_BIN:-$top/build/rel}
	demo=${DOORSTEP_DEMO_DIR:-$top/build/demo}
else						# installed
	forms=$(cd "$here/../forms" && pwd)
	if [ -n "${DOORSTEP_BIN:-}" ]; then
		bin=$DOORSTEP_BIN
	else
		bin=$(dirname "$(command -v doorstep)")
	fi
	demo=${DOORSTEP_DEMO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/doorstep-demo}
fi
pass='doorstep-demo'

# One language, chosen as the programs choose it (i18n_pick): the first
# of DOORSTEP_LANG and the locale that is set; Chinese unless it says en.
lang=zh
for v in "${DOORSTEP_LANG:-}" "${LC_ALL:-}" "${LC_MESSAGES:-}" "${LANG:-}"; do
	case $v in
	'') continue ;;
	zh|zh[_.-]*) lang=zh ;;
	en|en[_.-]*) lang=en ;;
	*) [ "$v" = "${DOORSTEP_LANG:-}" ] && continue ;;
	esac
	break
done
say() { if [ "$lang" = en ]; then echo "$1"; else echo "$2"; fi; }

# Recreated on every run: refuse to empty a directory that is not a demo.
if [ -e "$demo" ] && [ ! -f "$demo/setup.log" ] &&
    [ -n "$(ls -A "$demo" 2>/dev/null)" ]; then
	say "doorstep demo: $demo is not empty and not a demo; set DOORSTEP_DEMO_DIR" \
	    "doorstep 演示：$demo 不是空目录，也不是演示目录；请设置 DOORSTEP_DEMO_DIR" >&2
	exit 1
fi
rm -rf "$demo"
mkdir -p "$demo"
DOORSTEP_PASSPHRASE=$pass
export DOORSTEP_PASSPHRASE
unset DOORSTEP_WORKSPACE DOORSTEP_OFFICE_DIR

"$bin/doorstep-office" init --dir "$demo/office" >"$demo/setup.log"
# Its passphrase is on the screen anyway: the test-only cost where the
# build offers it (a build in the tree), else the full one (exit 64 first).
"$bin/doorstep" --workspace "$demo/workspace" init \
    --office-key "$demo/office/office-public.key" --worker '演示网格员' \
    --kdf-cost min >>"$demo/setup.log" 2>&1 ||
"$bin/doorstep" --workspace "$demo/workspace" init \
    --office-key "$demo/office/office-public.key" --worker '演示网格员' \
    >>"$demo/setup.log"

# The default form, installed where `fill FORM-ID` and the app look for it.
mkdir -p "$demo/workspace/forms"
cp "$forms/household.md" "$forms"/*.csv "$demo/workspace/forms/"
chmod 600 "$demo/workspace/forms/"*

n=0
for f in "$here"/household-*.json; do
	"$bin/doorstep" --workspace "$demo/workspace" fill household \
	    --answers "$f" --finalize >>"$demo/setup.log"
	n=$((n + 1))
done

say "doorstep demo: $n sample households in $demo/workspace" \
    "doorstep 演示：$demo/workspace 中有 $n 户示例农户"
say "demo passphrase: $pass" "演示口令：$pass"
[ -n "${DOORSTEP_DEMO_NO_TUI:-}" ] && exit 0
# The app opens on its unlock screen, which shows the demo passphrase:
# unlocking is the first thing a worker learns.
unset DOORSTEP_PASSPHRASE
DOORSTEP_DEMO_PASSPHRASE=$pass
export DOORSTEP_DEMO_PASSPHRASE
exec "$bin/doorstep" --workspace "$demo/workspace"
