#!/bin/sh
# cppcheck over src/ and sync/ (make lint, and the suite through
# tests/lint/t_cppcheck.sh): any finding fails.  A false positive is
# fixed in the code or suppressed here with a reason, never ignored.
cd "$(dirname "$0")/.." || exit 1
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "cppcheck is not installed: run make deps" >&2
	exit 1
fi
exec cppcheck --quiet --error-exitcode=1 --std=c11 -Isrc -Isync \
    --suppress=missingIncludeSystem src sync
