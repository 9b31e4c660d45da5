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
	status|mem|buf|util|json|utf8|csv) echo 1 ;;
	form|form_*|qtype|xls|xls_*|mdtable|xlsx|xlsx_*) echo 2 ;;
	val|val_*|expr|expr_*) echo 3 ;;
	inst|inst_*|eng|eng_*|action) echo 4 ;;
	cry|cry_*) echo 5 ;;
	store|store_*|record|record_*|ws|ws_*) echo 6 ;;
	sess|sess_*) echo 7 ;;
	bundle|bundle_*|pack|pack_*|imp|imp_*|receipt|receipt_*|xport|xport_*|rcv|rcv_*|report|report_*|odb|odb_*|outbox|outbox_*|sync|sync_*|export|export_*) echo 8 ;;
	tui|tui_*|i18n|i18n_*) echo 9 ;;
	main|cmd|cmd_*|ocmd|ocmd_*|office_main) echo 10 ;;
	*) echo 0 ;;
	esac
}

# system header -> allowed file base-name pattern (extended regex)
owners=(
	'sodium\.h|^cry(_.*)?$'
	'sqlite3\.h|^(store|store_.*|odb|odb_.*)$'
	'zlib\.h|^bundle(_.*)?$'
	'curl/curl\.h|^xport(_.*)?$'
	'microhttpd\.h|^rcv(_.*)?$'
	'n?curses(w)?\.h|^tui(_.*)?$'
	'ncursesw/curses\.h|^tui(_.*)?$'
	'jansson\.h|^json$'
	'zip\.h|^xlsx(_.*)?$'
	'expat\.h|^xlsx(_.*)?$'
	'xlsxwriter\.h|^(report|report_.*|export|export_.*)$'
	'libintl\.h|^(tui|tui_.*|i18n|i18n_.*)$'
)

for f in src/*.[ch] sync/*.[ch]; do
	[ -f "$f" ] || continue
	b=$(basename "$f"); b=${b%.*}
	my=$(layer_of "$b")
	if [ "$my" = 0 ]; then
		echo "lint-layers: $f: no layer for '$b' (edit tests/lint-layers.sh)"
		rc=1
		continue
	fi
	while IFS= read -r line; do
		inc=$(echo "$line" | sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p')
		[ -n "$inc" ] || continue
		if echo "$line" | grep -q '"'; then
			ib=$(basename "$inc"); ib=${ib%.*}
			il=$(layer_of "$ib")
			if [ "$il" = 0 ]; then
				echo "lint-layers: $f includes \"$inc\" of no known layer"
				rc=1
			elif [ "$il" -gt "$my" ]; then
				echo "lint-layers: $f (layer $my) includes \"$inc\" (layer $il)"
				rc=1
			fi
		else
			for o in "${owners[@]}"; do
				hdr=${o%%|*}; pat=${o#*|}
				if echo "$inc" | grep -Eqx "$hdr" && ! echo "$b" | grep -Eq "$pat"; then
					echo "lint-layers: $f includes <$inc>, owned by $pat"
					rc=1
				fi
			done
		fi
	done < "$f"
done
[ $rc -eq 0 ] && echo "lint-layers: ok"
exit $rc
