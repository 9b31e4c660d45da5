#!/usr/bin/env bash
# The TUI screens talk only through the screen stack (docs/tui.md): a
# screen file (one that defines a `struct tui_screen`) exports nothing but
# its tui_scr_NAME, no other file names it except the stack's table in
# src/tui.c, and no screen calls a function of another screen.  This is
# what keeps the screens out of a cycle of calls.
. "$(dirname "$0")/../lib.sh"
cd "$DS_TOP/src"
screens=$(grep -l '^const struct tui_screen tui_scr_' tui*.c)
n=$(echo "$screens" | wc -w)
if [ "$n" -ge 10 ]; then ok screens_found
else not_ok screens_found "only $n screen files: $screens"; fi
bad=
for f in $screens; do
	# Functions with external linkage: a name in column 0 after a
	# return type line that is not `static`.
	ext=$(awk 'prev !~ /static/ && /^[a-z_][a-z0-9_]*\(/ {
	    sub(/\(.*/, ""); print } { prev = $0 }' "$f")
	[ -n "$ext" ] && bad="$bad $f:($(echo $ext))"
done
if [ -z "$bad" ]; then ok screens_export_no_functions
else not_ok screens_export_no_functions "$bad"; fi
bad=
for f in $screens; do
	own=$(sed -n 's/^const struct tui_screen \(tui_scr_[a-z_]*\).*/\1/p' "$f")
	for g in tui*.c tui*.h; do
		[ "$g" = "$f" ] || [ "$g" = tui.c ] && continue
		grep -q "\\b$own\\b" "$g" && bad="$bad $g:$own"
	done
done
if [ -z "$bad" ]; then ok screens_named_only_by_the_stack
else not_ok screens_named_only_by_the_stack "$bad"; fi
