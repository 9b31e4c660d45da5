#!/usr/bin/env bash
# Every command of both programs: `CMD --help` and `help CMD` exit 0 and
# print the usage, the options and an example, in the chosen language
# (--lang, DOORSTEP_LANG, the locale, else Chinese), and has a section in
# the program's man page (docs/man/PROG.1), which groff reads without a
# warning.  A command added without help text (struct cmd_entry .help) or
# without its man-page section fails here.
. "$(dirname "$0")/../lib.sh"

# The command names a program's --help lists.
commands() {
	"$1" --lang en --help | awk '/^Commands:/ { on = 1; next }
	    on && /^$/ { exit } on { sub(/^  /, ""); sub(/  .*/, ""); print }'
}

for p in "$DOORSTEP" "$DOORSTEP_OFFICE"; do
	n=$(basename "$p")
	man=$DS_TOP/docs/man/$n.1
	if groff -man -Tutf8 -ww -z "$man" >"$T/groff" 2>&1 &&
	    [ ! -s "$T/groff" ]; then ok "$n.1 formats without warnings"
	else not_ok "$n.1 formats without warnings" "$(head -5 "$T/groff")"; fi
	cmds=$(commands "$p")
	[ "$(echo "$cmds" | wc -l)" -ge 10 ] && ok "$n lists its commands" ||
	    not_ok "$n lists its commands" "$cmds"
	while IFS= read -r c; do
		# shellcheck disable=SC2086
		set -- $c
		DOORSTEP_LANG=en "$p" "$@" --help >"$T/en" 2>&1
		rc=$?
		DOORSTEP_LANG=zh "$p" "$@" --help >"$T/zh" 2>&1
		rz=$?
		"$p" --lang en help "$@" >"$T/help" 2>&1
		rh=$?
		if [ $rc -eq 0 ] && [ $rz -eq 0 ] && [ $rh -eq 0 ]; then
			ok "$n $c --help exits 0"
		else
			not_ok "$n $c --help exits 0" "en $rc, zh $rz, help $rh"
		fi
		has "$n $c --help: usage" "$T/en" "^usage: $n $c"
		has "$n $c --help: options" "$T/en" "^Options:"
		has "$n $c --help: example" "$T/en" "^Example:"
		has "$n $c --help: example command" "$T/en" "^  $n $c"
		has "$n $c --help in Chinese: usage" "$T/zh" "^用法：$n $c"
		has "$n $c --help in Chinese: options" "$T/zh" "^选项："
		has "$n $c --help in Chinese: example" "$T/zh" "^示例："
		if grep -q "Example:\|Options:" "$T/zh"; then
			not_ok "$n $c --help in Chinese has no English heading" \
			    "$(cat "$T/zh")"
		else ok "$n $c --help in Chinese has no English heading"; fi
		if grep -qP '[\x{4e00}-\x{9fff}]' "$T/en"; then
			not_ok "$n $c --help in English has no Chinese" \
			    "$(grep -P '[\x{4e00}-\x{9fff}]' "$T/en")"
		else ok "$n $c --help in English has no Chinese"; fi
		# man: .SS "NAME ..." with roff's \- for each -
		if grep -qF ".SS \"${c//-/\\-}" "$man"; then
			ok "$n.1 has a section for $c"
		else not_ok "$n.1 has a section for $c" "no .SS \"$c in $man"; fi
		if cmp -s "$T/en" "$T/help"; then ok "$n help $c = $c --help"
		else not_ok "$n help $c = $c --help" "$(diff "$T/en" "$T/help")"; fi
	done <<<"$cmds"
done

# The language: --lang over DOORSTEP_LANG over the locale; Chinese when
# nothing says otherwise.
D=$DOORSTEP
DOORSTEP_LANG=zh "$D" --lang en fill --help >"$T/o" 2>&1
has "--lang en beats DOORSTEP_LANG=zh" "$T/o" "^Example:"
LC_ALL=en_US.UTF-8 "$D" fill --help >"$T/o" 2>&1
has "an English locale gives English" "$T/o" "^Example:"
LC_ALL=zh_CN.UTF-8 "$D" fill --help >"$T/o" 2>&1
has "a Chinese locale gives Chinese" "$T/o" "^示例："
LC_ALL=C.UTF-8 "$D" fill --help >"$T/o" 2>&1
has "no language named: Chinese" "$T/o" "^示例："
DOORSTEP_LANG=en LC_ALL=zh_CN.UTF-8 "$D" fill --help >"$T/o" 2>&1
has "DOORSTEP_LANG beats the locale" "$T/o" "^Example:"
check_fail "--lang fr is a usage error" 64 "$D" --lang fr fill --help
check_fail "help for an unknown command is a usage error" 64 "$D" help nosuch
# A usage error points at the command's help, in the chosen language.
check_fail "fill without answers is a usage error" 64 "$D" --lang en fill x
has "a usage error names CMD --help" "$T/.out" "doorstep fill --help"
check_fail "office report without a subcommand is a usage error" 64 \
    "$DOORSTEP_OFFICE" --lang zh report
has "a Chinese usage error" "$T/.out" "^用法：doorstep-office report"
# A group's name (form: form check, form install) lists its commands.
for h in "form --help" "help form"; do
	# shellcheck disable=SC2086
	check "doorstep $h exits 0" "$D" --lang en $h
	has "doorstep $h lists form check" "$T/.out" "^  form check "
	has "doorstep $h lists form install" "$T/.out" "^  form install "
done
DOORSTEP_LANG=zh "$D" form --help >"$T/o" 2>&1
has "doorstep form --help in Chinese" "$T/o" "^用法：doorstep form 命令"
check_fail "doorstep form alone is a usage error" 64 "$D" --lang en form
has "doorstep form alone lists its commands" "$T/.out" "^  form check "
