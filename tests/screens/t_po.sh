#!/usr/bin/env bash
# Every app string in the TUI and command sources is in po/zh_CN.po and po/en.po,
# translated and not fuzzy; the catalogues compile.
. "$(dirname "$0")/../lib.sh"
cd "$DS_TOP"
xgettext --from-code=UTF-8 -k_ -kN_ --no-location -o "$T/now.pot" \
    src/tui*.c src/i18n*.c src/main.c src/cmd*.c sync/office_main.c \
    sync/ocmd*.c sync/report*.c
grep '^msgid ' "$T/now.pot" | grep -v '^msgid ""$' | sort >"$T/ids"
for po in po/zh_CN.po po/en.po; do
	n=$(basename "$po" .po)
	msgcat --no-location --no-wrap "$po" | grep '^msgid ' | sort >"$T/have"
	missing=$(comm -23 "$T/ids" "$T/have")
	if [ -z "$missing" ]; then ok "${n}_has_every_string"
	else not_ok "${n}_has_every_string" "run po/update.sh: $(echo "$missing" | head -3)"; fi
	stats=$(msgfmt -c --statistics -o /dev/null "$po" 2>&1)
	if echo "$stats" | grep -q 'untranslated\|fuzzy'; then
		not_ok "${n}_fully_translated" "$stats"
	else ok "${n}_fully_translated"; fi
done
# English is the msgid itself: a stale fuzzy guess must not survive there.
if msgen po/en.po | diff -q - po/en.po >/dev/null; then ok en_is_identity
else not_ok en_is_identity "po/en.po has a msgstr that differs from its msgid (run po/update.sh)"; fi
