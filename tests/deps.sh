#!/usr/bin/env bash
# Install the Debian packages doorstep needs (make deps).  As root it runs
# apt-get update first (a fresh machine may have empty package lists), then
# apt-get install; otherwise it prints the exact command to run.  It also
# makes the zh_CN.UTF-8 and en_US.UTF-8 locales the TUI and its tests use,
# and de_DE.UTF-8 (a comma decimal point) for the number tests.
set -eu
missing=()
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
need_locale=()
for l in zh_CN.UTF-8 en_US.UTF-8 de_DE.UTF-8; do
	n=$(echo "$l" | sed 's/UTF-8/utf8/')
	locale -a 2>/dev/null | grep -qx "$n" || need_locale+=("$l")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#need_locale[@]} -eq 0 ]; then
	echo "deps: all packages and locales present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]:-none}; locales: ${need_locale[*]:-none}"
	echo "run as root:"
	[ ${#missing[@]} -gt 0 ] && echo "  apt-get update && apt-get install -y ${missing[*]}"
	for l in "${need_locale[@]}"; do
		echo "  sed -i 's/^# *$l/$l/' /etc/locale.gen && locale-gen"
	done
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ ${#need_locale[@]} -gt 0 ]; then
	[ -f /etc/locale.gen ] || touch /etc/locale.gen
	for l in "${need_locale[@]}"; do
		grep -q "^$l UTF-8" /etc/locale.gen || echo "$l UTF-8" >> /etc/locale.gen
	done
	locale-gen
fi
