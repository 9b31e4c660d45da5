#!/bin/sh
# Refresh po/doorstep.pot from the TUI sources and merge it into every
# po/*.po.  Run after adding or changing a _() string, then translate the
# new entries in po/zh_CN.po (tests/screens/t_po.sh fails until you do).
set -e
cd "$(dirname "$0")/.."
xgettext --from-code=UTF-8 -k_ -kN_ --add-comments=TRANSLATORS: \
	--package-name=doorstep --no-location --sort-output \
	-o po/doorstep.pot src/tui*.c src/i18n.c
for p in po/*.po; do
	msgmerge --quiet --update --backup=none --no-location --sort-output \
	    "$p" po/doorstep.pot
done
