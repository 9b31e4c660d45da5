#!/usr/bin/env bash
# make lint-layers: each system header has its owners, and no file includes
# a header of a higher layer (style.md §3).  A file whose name matches no
# layer below is an error too: add its prefix to the table.
set -u
cd "$(dirname "$0")/.."
rc=0

# layer number for a source or header base name (no directory, no suffix)
layer_of() {
	case "$1" in
	status|mem|buf|arr|util|json|utf8|csv) echo 1 ;;
	form|form_*|qtype|xls|xls_*|mdtable|xlsx|xlsx_*) echo 2 ;;
	val|val_*|expr|expr_*) echo 3 ;;
	inst|inst_*|eng|eng_*|action|gpsd) echo 4 ;;
	cry|cry_*) echo 5 ;;
	store|store_*|record|record_*|ws|ws_*) echo 6 ;;
	sess|sess_*) echo 7 ;;
	bundle|bundle_*|pack|pack_*|imp|imp_*|receipt|receipt_*|xport|xport_*|rcv|rcv_*|report|report_*|odb|odb_*|outbox|outbox_*|sync|sync_*|export|export_*|case|case_*|oset|oset_*|obundle|obundle_*|dnote|dnote_*|assign|assign_*|fetch|fetch_*|dbx|dbx_*) echo 8 ;;
	tui|tui_*|i18n|i18n_*) echo 9 ;;
	main|cmd|cmd_*|ocmd|ocmd_*|office_main) echo 10 ;;
	*) echo 0 ;;
	esac
}

# system header -> allowed file base-name pattern (extended regex)
owners=(
	'sodium\.h|^cry(_.*)?$'
	'sqlite3\.h|^(store|store_.*|dbx)$'
	'libpq-fe\.h|^dbx_pg$'
	'zlib\.h|^bundle(_.*)?$'
	'curl/curl\.h|^xport(_.*)?$'
	'microhttpd\.h|^rcv(_.*)?$'
	'gnutls/[a-z0-9]*\.h|^rcv(_.*)?$'
	'n?curses(w)?\.h|^tui(_.*)?$'
	'ncursesw/curses\.h|^tui(_.*)?$'
	'jansson\.h|^json$'
	'zip\.h|^xlsx(_.*)?$'
	'expat\.h|^xlsx(_.*)?$'
	'freexl\.h|^xls_biff$'
	'gps\.h|^gpsd$'
	'xlsxwriter\.h|^(report|report_.*|export|export_.*)$'
	'readstat\.h|^export_stat$'
	'libintl\.h|^(tui|tui_.*|i18n|i18n_.*)$'
)

# Pure bash below (no process per line): one grep for every include, layer
# numbers cached per name, header owners matched with [[ =~ ]].
declare -A cache
layer() {	# name -> $L
	if [ -z "${cache[$1]+x}" ]; then cache[$1]=$(layer_of "$1"); fi
	L=${cache[$1]}
}

for f in src/*.[ch] sync/*.[ch]; do
	[ -f "$f" ] || continue
	b=${f##*/}; b=${b%.*}
	layer "$b"
	[ "$L" = 0 ] && { echo "lint-layers: $f: no layer for '$b' (edit tests/lint-layers.sh)"; rc=1; }
done

re_q='^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)"'
re_s='^[[:space:]]*#[[:space:]]*include[[:space:]]*<([^>]*)>'
while IFS= read -r hit; do
	f=${hit%%:*}; line=${hit#*:}
	b=${f##*/}; b=${b%.*}
	layer "$b"; my=$L
	[ "$my" = 0 ] && continue
	if [[ $line =~ $re_q ]]; then
		inc=${BASH_REMATCH[1]}
		ib=${inc##*/}; ib=${ib%.*}
		layer "$ib"
		if [ "$L" = 0 ]; then
			echo "lint-layers: $f includes \"$inc\" of no known layer"; rc=1
		elif [ "$L" -gt "$my" ]; then
			echo "lint-layers: $f (layer $my) includes \"$inc\" (layer $L)"; rc=1
		fi
	elif [[ $line =~ $re_s ]]; then
		inc=${BASH_REMATCH[1]}
		for o in "${owners[@]}"; do
			hdr=${o%%|*}; pat=${o#*|}
			if [[ $inc =~ ^($hdr)$ ]] && ! [[ $b =~ $pat ]]; then
				echo "lint-layers: $f includes <$inc>, owned by $pat"; rc=1
			fi
		done
	fi
done < <(grep -H -E '^[[:space:]]*#[[:space:]]*include' src/*.[ch] sync/*.[ch] 2>/dev/null)
[ $rc -eq 0 ] && echo "lint-layers: ok"
exit $rc
