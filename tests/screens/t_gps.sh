#!/usr/bin/env bash
# A GPS receiver in the terminal app (issue 15): a real gpsd (gpsfake, from
# Debian's gpsd-clients, replays an NMEA log into it through a
# pseudo-terminal) on a private port.  A new record takes its start
# location from the receiver; F12 on a geopoint question fills the answer
# with the fix, and on a geotrace adds a point.  A receiver that reports
# no accuracy: nothing is said of it (not "accurate to 0.0 m"), in either
# language, and the saved geopoint keeps 0 as ODK's.  Without gpsd the start
# location stays empty with nothing said, F12 says in the worker's one
# language that the location can be typed, and typing works.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

FIX='30.5728000 104.0668000 545.4 '
gps_app() {	# DIR GPSD LANG
	if [ "$3" = zh ]; then set -- "$1" "$2" zh_CN.UTF-8 ""
	else set -- "$1" "$2" C.UTF-8 en; fi
	tm_start 80 24 LANG="$3" LC_ALL="$3" LANGUAGE="$4" \
	    DOORSTEP_GPSD="$2" DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" -- \
	    "$DOORSTEP" --workspace "$1" --passphrase-file "$T/pass"
}

# ---- no gpsd: nothing said at the start, F12 says to type ----------------
for lang in en zh; do
	W=$T/ws-$lang
	make_ws "$W" "$SCREENS/forms/gps.md" ||
	    { not_ok "make_ws $lang" "workspace set-up failed"; exit 0; }
	gps_app "$W" 127.0.0.1:9 "$lang"
	if [ "$lang" = en ]; then
		tm_check "no_gpsd_${lang}_list" "N New"
		tm_keys n
		tm_check "no_gpsd_${lang}_question" "Who lives here?"
	else
		tm_check "no_gpsd_${lang}_list" "N 新建"
		tm_keys n
		tm_check "no_gpsd_${lang}_question" "谁住在这里？"
	fi
	tm_type "Wang"
	tm_keys Enter
	if [ "$lang" = en ]; then
		tm_check "no_gpsd_${lang}_footer_gps" "F12 GPS"
		tm_keys F12
		tm_check "no_gpsd_${lang}_says_type" "You can type the location instead."
		tm_screen >"$T/screen"
		no_zh "no_gpsd_${lang}_one_language" "$T/screen"
	else
		tm_check "no_gpsd_${lang}_footer_gps" "F12 定位"
		tm_keys F12
		tm_check "no_gpsd_${lang}_says_type" "也可以直接输入位置。"
		tm_screen >"$T/screen"
		hasnt "no_gpsd_${lang}_one_language" "$T/screen" "type the location"
	fi
	if tm_screen | grep -q "Start location\|开始位置"; then
		not_ok "no_gpsd_${lang}_start_quiet" "$(tm_screen)"
	else ok "no_gpsd_${lang}_start_quiet"; fi
	tm_type "30.5 104.1"
	tm_keys Enter
	if [ "$lang" = en ]; then tm_check "no_gpsd_${lang}_typed" "Path to the house"
	else tm_check "no_gpsd_${lang}_typed" "到房屋的路线"; fi
	tm_keys F10
	tm_wait_gone "30.5 104.1" >/dev/null
	tm_keys F10
	tm_check_exit "no_gpsd_${lang}_quits"
	saved "$W" "$T/rec.json"
	has "no_gpsd_${lang}_typed_saved" "$T/rec.json" '"home":"30.5 104.1"'
	hasnt "no_gpsd_${lang}_start_empty" "$T/rec.json" '"here"'
done

# ---- a receiver with a fix ------------------------------------------------
if ! command -v gpsfake >/dev/null || ! command -v gpspipe >/dev/null; then
	not_ok "gpsfake and gpspipe are installed (make deps)" "gpsd-clients missing"
	exit 0
fi
# gpsd fed from an NMEA log (its own process group, so gpsfake and its
# gpsd end together) on a private port; 1 once it serves a 3D fix.
start_gpsd() {	# NMEA -> port, gf
	port=$((20000 + RANDOM % 20000))
	setsid timeout -k 5 120 gpsfake -q -n -c 0.1 -P "$port" "$1" \
	    >"$T/gpsfake.log" 2>&1 &
	gf=$!
	# gpsd serves a fix: poll it, as the app will.
	for _ in $(seq 1 60); do
		if timeout 3 gpspipe -w -n 12 "127.0.0.1:$port" 2>/dev/null |
		    grep -q '"class":"TPV".*"mode":3'; then return 0; fi
		sleep 0.25
	done
	return 1
}
stop_gpsd() {
	kill -- -"$gf" 2>/dev/null
	sleep 0.2
	kill -9 -- -"$gf" 2>/dev/null
	wait "$gf" 2>/dev/null
	return 0	# the script's status when it ends here
}
if ! start_gpsd "$DS_TOP/tests/forms/gps/chengdu.nmea"; then
	not_ok gpsd_serves_a_fix "$(cat "$T/gpsfake.log")"
	stop_gpsd
	exit 0
fi
ok gpsd_serves_a_fix

W=$T/ws-fix
make_ws "$W" "$SCREENS/forms/gps.md" ||
    { not_ok make_ws "workspace set-up failed"; stop_gpsd; exit 0; }
gps_app "$W" "127.0.0.1:$port" en
tm_check fix_list "N New"
tm_keys n
tm_check start_location_taken "Start location from the GPS receiver, accurate to"
tm_type "Wang"
tm_keys Enter
tm_check geopoint_question "Where is the house?"
tm_keys F12
tm_check geopoint_from_gps "Location from the GPS receiver, accurate to"
tm_check geopoint_shows_fix "30.5728000 104.0668000 545.4"
tm_keys Enter
tm_check geotrace_question "Path to the house"
tm_keys F12
tm_check geotrace_point_1 "Point 1 from the GPS receiver"
tm_keys C-w
tm_check geotrace_point_2 "Point 2 from the GPS receiver"
tm_keys Enter
tm_check end_note "The end of the form."
tm_keys F10
tm_wait_gone "The end of the form." >/dev/null
tm_keys F10
tm_check_exit fix_quits
stop_gpsd
saved "$W" "$T/rec.json"
has start_geopoint_saved "$T/rec.json" "\"here\":\"$FIX"
has geopoint_saved_is_fix "$T/rec.json" "\"home\":\"$FIX"
has geotrace_two_points "$T/rec.json" "\"path\":\"$FIX[0-9.]*;$FIX[0-9.]*\""

# ---- a receiver that reports no accuracy ----------------------------------
if ! start_gpsd "$DS_TOP/tests/forms/gps/noacc.nmea"; then
	not_ok gpsd_serves_a_fix_without_accuracy "$(cat "$T/gpsfake.log")"
	stop_gpsd
	exit 0
fi
for lang in en zh; do
	W=$T/ws-noacc-$lang
	make_ws "$W" "$SCREENS/forms/gps.md" ||
	    { not_ok "make_ws noacc $lang" "workspace set-up failed"; break; }
	gps_app "$W" "127.0.0.1:$port" "$lang"
	if [ "$lang" = en ]; then
		tm_check "noacc_${lang}_list" "N New"
		tm_keys n
		tm_check "noacc_${lang}_start" "Start location from the GPS receiver."
	else
		tm_check "noacc_${lang}_list" "N 新建"
		tm_keys n
		tm_check "noacc_${lang}_start" "开始位置已从 GPS 接收器取得。"
	fi
	tm_screen >"$T/screen"
	hasnt "noacc_${lang}_start_no_accuracy" "$T/screen" "accurate to\\|精度"
	tm_type "Wang"
	tm_keys Enter
	tm_keys F12
	if [ "$lang" = en ]; then
		tm_check "noacc_${lang}_geopoint" "Location from the GPS receiver."
	else
		tm_check "noacc_${lang}_geopoint" "位置来自 GPS 接收器。"
	fi
	tm_screen >"$T/screen"
	hasnt "noacc_${lang}_geopoint_no_accuracy" "$T/screen" "accurate to\\|精度"
	tm_keys Enter
	tm_keys F12
	if [ "$lang" = en ]; then
		tm_check "noacc_${lang}_point" "Point 1 from the GPS receiver. Go to"
	else
		tm_check "noacc_${lang}_point" "第 1 个点来自 GPS 接收器。走到"
	fi
	tm_screen >"$T/screen"
	hasnt "noacc_${lang}_point_no_accuracy" "$T/screen" "accurate to\\|精度"
	tm_keys C-w
	if [ "$lang" = en ]; then
		tm_check "noacc_${lang}_point_2" "Point 2 from the GPS receiver."
		end="The end of the form."
	else
		tm_check "noacc_${lang}_point_2" "第 2 个点来自 GPS 接收器。"
		end="表单结束。"
	fi
	tm_keys Enter
	tm_check "noacc_${lang}_end" "$end"
	tm_keys F10
	tm_wait_gone "$end" >/dev/null
	tm_keys F10
	tm_check_exit "noacc_${lang}_quits"
	saved "$W" "$T/rec.json"
	has "noacc_${lang}_saved_acc_0" "$T/rec.json" "\"home\":\"${FIX}0.0\""
done
stop_gpsd
