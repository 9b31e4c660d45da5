#!/bin/sh
# `make demo`: a demo office and laptop workspace with the default household
# form and a few synthetic households, then the app, unlocked.
#
# Everything lives under build/demo (DOORSTEP_DEMO_DIR overrides) and is
# recreated on every run.  The passphrase is public and the key derivation
# uses the minimum cost: this workspace is for trying the app, never for
# real households.  DOORSTEP_DEMO_NO_TUI=1 stops before opening the app
# (tests/forms/t_demo.sh uses it).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${DOORSTEP_BIN:-$top/build/rel}
demo=${DOORSTEP_DEMO_DIR:-$top/build/demo}
pass='doorstep-demo'

rm -rf "$demo"
mkdir -p "$demo"
DOORSTEP_PASSPHRASE=$pass
export DOORSTEP_PASSPHRASE
unset DOORSTEP_WORKSPACE DOORSTEP_OFFICE_DIR

"$bin/doorstep-office" init --dir "$demo/office" >"$demo/setup.log"
"$bin/doorstep" --workspace "$demo/workspace" init \
    --office-key "$demo/office/office-public.key" --worker '演示网格员' \
    --kdf-cost min >>"$demo/setup.log"

# The default form, installed where `fill FORM-ID` and the app look for it.
mkdir -p "$demo/workspace/forms"
cp "$top/forms/household.md" "$top"/forms/*.csv "$demo/workspace/forms/"
chmod 600 "$demo/workspace/forms/"*

n=0
for f in "$top"/forms/demo/household-*.json; do
	"$bin/doorstep" --workspace "$demo/workspace" fill household \
	    --answers "$f" --finalize >>"$demo/setup.log"
	n=$((n + 1))
done

echo "doorstep demo: $n sample households in $demo/workspace"
echo "demo passphrase / 演示口令: $pass"
[ -n "${DOORSTEP_DEMO_NO_TUI:-}" ] && exit 0
exec "$bin/doorstep" --workspace "$demo/workspace"
