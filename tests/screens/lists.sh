# Visit-list screen-test set-up (issue 11).  Source after tests/lib.sh,
# tmux.sh and ws.sh.  A real office (register, a department's clue) and a
# real laptop with the shipped household form; HH1 was visited once
# (record $REC1, finalized, consent signed).
#   lists_ws DIR      the office and the laptop; the laptop enrolled
#   lists_assign      the office assigns HH1 (its clue, due in 7 days),
#                     HH2 and HH3 (follow-up, due $DUE_PAST: overdue);
#                     the bundles wait on the stick $STICK
#   lists_take        the laptop takes them from the stick (the CLI)
#   of ARGS / ds ARGS   doorstep-office on the office, doorstep on DIR
HH1=3418021012010007	# visited before; the department's warning
HH2=3418021012020003
HH3=3418021022010011
DUE_PAST=2024-09-01	# before DOORSTEP_FAKE_NOW's day
export DOORSTEP_FAKE_NOW=1726372800	# 2024-09-15
O=$T/office
STICK=$T/stick
of() { "$DOORSTEP_OFFICE" --dir "$O" --lang en "$@"; }
ds() { "$DOORSTEP" --workspace "$LW" --passphrase-file "$T/pass" --lang en "$@"; }

lists_ws() {
	LW=$1
	mkdir -p "$STICK"
	cat >"$T/register.csv" <<CSV
hh_key,township,village,group,head_name,id_number,members
$HH1,341802101,341802101201,34180210120101,张建国,341802197903150315,6
$HH2,341802101,341802101202,34180210120201,陈玉兰,341802195604120723,3
$HH3,341802102,341802102201,34180210220102,周志强,341802198412051317,4
CSV
	cat >"$T/yibao.csv" <<'CSV'
id_number,name,reason,amount,date
341802197903150315,张建国,住院自付费用高,12000,2024-09-12
CSV
	"$DOORSTEP_OFFICE" init --dir "$O" --settings anhui >/dev/null 2>&1 &&
	of register import "$T/register.csv" >/dev/null 2>&1 &&
	of clue import "$T/yibao.csv" --source yibao >/dev/null 2>&1 &&
	make_ws "$LW" "$DS_TOP/forms/household.md" || return 1
	REC1=$(ds fill household --answers \
	    "$DS_TOP/forms/demo/household-1.json" --finalize 2>/dev/null)
	[ -n "$REC1" ] || return 1
	ds sync export --out "$STICK" >/dev/null 2>&1 &&
	of import "$STICK" >/dev/null 2>&1 || return 1
	DEV=$(of devices 2>/dev/null | grep -o '[0-9a-f]\{32\}' | head -n 1)
	of enroll --fingerprint "$(fingerprint "$LW" --passphrase-file \
	    "$T/pass")" "${DEV:0:8}" >/dev/null 2>&1
}
lists_assign() {
	printf '%s\n%s\n' "$HH2" "$HH3" >"$T/keys.txt"
	of publish "$DS_TOP/forms/household.md" >/dev/null 2>&1 &&
	of assign --device "${DEV:0:8}" --clues >/dev/null 2>&1 &&
	of assign --device "${DEV:0:8}" --file "$T/keys.txt" --reason \
	    followup --due "$DUE_PAST" >/dev/null 2>&1 &&
	of import "$STICK" >/dev/null 2>&1
}
lists_take() { ds sync export --out "$STICK" >/dev/null 2>&1; }
