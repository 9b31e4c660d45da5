# Workspace set-up for screen tests.  Source after tests/lib.sh.
#   make_ws DIR [FORM.md...]   office keys + workspace (test-only min KDF
#                              cost), passphrase in $T/pass, forms copied
#                              into DIR/forms (default: the small form)
#   app DIR [ARGS...]          start the TUI on DIR in tmux, 80x24, English
#   app_zh DIR                 the same in Chinese
#   records DIR / show DIR ID  the CLI view of what was saved
#   saved DIR FILE             show of the workspace's (first) record, in FILE
SCREENS=$DS_TOP/tests/screens
printf 'field passphrase one\n' >"$T/pass"
make_ws() {
	local w=$1 f
	shift
	[ -d "$T/office" ] || "$DOORSTEP_OFFICE" init --dir "$T/office" >/dev/null
	"$DOORSTEP" --workspace "$w" init --office-key "$T/office/office-public.key" \
	    --worker "李网格" --kdf-cost min --passphrase-file "$T/pass" >/dev/null || return 1
	# Only the forms asked for (init installs the household form too).
	rm -rf "$w/forms"
	mkdir -p "$w/forms"
	[ $# -eq 0 ] && set -- "$SCREENS/forms/small.md"
	for f in "$@"; do cp "$f" "$(dirname "$f")"/*.csv "$w/forms/" 2>/dev/null || cp "$f" "$w/forms/"; done
}
app() {
	local w=$1
	shift
	tm_start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
	    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" -- \
	    "$DOORSTEP" --workspace "$w" --passphrase-file "$T/pass" "$@"
}
app_zh() {
	local w=$1
	shift
	tm_start 80 24 LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 LANGUAGE= \
	    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" -- \
	    "$DOORSTEP" --workspace "$w" --passphrase-file "$T/pass" "$@"
}
records() { "$DOORSTEP" --workspace "$1" records --passphrase-file "$T/pass"; }
show() { "$DOORSTEP" --workspace "$1" show "$2" --passphrase-file "$T/pass"; }
saved() { show "$1" "$(records "$1" | cut -d' ' -f1)" >"$2" 2>&1; }
# The cursor column in the pane.
tm_cursor_x() { tmx display-message -p -t ds '#{cursor_x}'; }
