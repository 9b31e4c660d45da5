#!/usr/bin/env bash
# The layer and header-ownership rules of style.md hold for the whole tree.
. "$(dirname "$0")/../lib.sh"
check "layers and header owners" "$DS_TOP/tests/lint-layers.sh"
