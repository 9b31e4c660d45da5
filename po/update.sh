#!/bin/sh
# Refresh po/doorstep.pot from the TUI and command sources, merge it into
# po/zh_CN.po
# (exact matches only: a fuzzy guess is never kept) and regenerate
# po/en.po (English is the msgid itself).  Then translate the new entries
# in po/zh_CN.po; tests/screens/t_po.sh fails until you do.
set -e
cd "$(dirname "$0")/.."
xgettext --from-code=UTF-8 -k_ -kN_ --add-comments=TRANSLATORS: \
	--package-name=doorstep --no-location --sort-output \
	-o po/doorstep.pot src/tui*.c src/i18n*.c src/main.c src/cmd*.c \
	sync/office_main.c sync/ocmd*.c sync/report*.c
msgmerge --quiet --update --backup=none --no-location --sort-output \
	--no-fuzzy-matching po/zh_CN.po po/doorstep.pot
msginit --no-translator --locale=en_US.UTF-8 -i po/doorstep.pot \
	-o po/en.po 2>/dev/null
sed -i 's/charset=ASCII/charset=UTF-8/' po/en.po
