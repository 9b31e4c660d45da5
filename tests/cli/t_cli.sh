#!/usr/bin/env bash
# Both programs: --help, --version, usage errors with status 64.
. "$(dirname "$0")/../lib.sh"

for p in "$DOORSTEP" "$DOORSTEP_OFFICE"; do
	n=$(basename "$p")
	check "$n --help" "$p" --lang en --help
	has "$n --help names the program" "$T/.out" "usage: $n"
	check "$n --version" "$p" --version
	has "$n --version prints the version" "$T/.out" "^$n [0-9]"
	check_fail "$n unknown command is a usage error" 64 "$p" no-such-command
	check_fail "$n option without value is a usage error" 64 "$p" --workspace
done
