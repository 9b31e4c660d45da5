#!/usr/bin/env bash
# cppcheck finds nothing in src/ and sync/ (make deps installs it).
. "$(dirname "$0")/../lib.sh"
check "cppcheck over src and sync" "$DS_TOP/tests/lint-cppcheck.sh"
