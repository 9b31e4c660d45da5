#!/usr/bin/env bash
# The office on a full disk (issue 13): every file the program may write is
# capped with `ulimit -f` (SIGXFSZ ignored, so writes fail with EFBIG as on
# a full disk).  import says the disk is full, that nothing changed and
# what to do -- not "PRAGMA application_id: disk I/O error" -- in the
# chosen language, and office.db is as before; with room again the same
# import works.
. "$(dirname "$0")/../lib.sh"

O=$T/office
export DOORSTEP_PASSPHRASE=full-disk-test
"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
"$DOORSTEP" --workspace "$T/ws" init --office-key "$O/office-public.key" \
    --worker w --kdf-cost min >/dev/null
"$DOORSTEP" --workspace "$T/ws" fill "$DS_TOP/forms/household.md" \
    --answers "$DS_TOP/forms/demo/household-1.json" --finalize >/dev/null
"$DOORSTEP" --workspace "$T/ws" sync export --out "$T/usb" >/dev/null 2>&1
digest() { sqlite3 "$O/office.db" 'SELECT count(*) FROM device;
    SELECT count(*) FROM pending; SELECT count(*) FROM ledger;'; }
before=$(digest)
full() { (ulimit -f 8; trap '' XFSZ; "$DOORSTEP_OFFICE" --dir "$O" "$@"); }
full --lang en import "$T/usb" >"$T/en" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "import on a full disk fails (exit 1)" ||
    not_ok "import on a full disk fails (exit 1)" "exit $rc"
has "it says the disk is full" "$T/en" "The disk is full"
has "it says nothing changed" "$T/en" "Nothing was changed at the office"
has "it says the laptops' data is safe" "$T/en" "still on the laptops"
has "it says what to do" "$T/en" "Free some space on this computer"
no_zh "in English only" "$T/en"
full --lang zh import "$T/usb" >"$T/zh" 2>&1
has "and in Chinese" "$T/zh" "磁盘已满。乡镇数据未作任何改动。"
has "what to do, in Chinese" "$T/zh" "腾出空间"
hasnt "in Chinese only" "$T/zh" "disk is full\|Nothing was changed"
# The database's own words are for English only, not under the Chinese.
has "the database's words, in English" "$T/en" "(office db: "
hasnt "no database words in Chinese" "$T/zh" "office db\|I/O error"
[ "$(digest)" = "$before" ] && ok "office.db is as before" ||
    not_ok "office.db is as before" "$(digest)"
check "with room again, the same import works" "$DOORSTEP_OFFICE" --dir "$O" \
    --lang en \
    import "$T/usb"
has "and holds the bundle" "$T/.out" "held"

# enroll on a full disk: the same words, and the device still pending.
dev=$("$DOORSTEP_OFFICE" --dir "$O" devices 2>/dev/null |
    grep -o '[0-9a-f]\{32\}' | head -n 1)
fpr=$(fingerprint "$T/ws")
before=$(digest)
full --lang en enroll --fingerprint "$fpr" "${dev:0:8}" >"$T/en2" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "enroll on a full disk fails (exit 1)" ||
    not_ok "enroll on a full disk fails (exit 1)" "exit $rc: $(cat "$T/en2")"
has "enroll says the disk is full" "$T/en2" "The disk is full"
no_zh "enroll: in English only" "$T/en2"
[ "$(digest)" = "$before" ] && ok "office.db is as before the enroll" ||
    not_ok "office.db is as before the enroll" "$(digest)"
check "with room again, enroll works" "$DOORSTEP_OFFICE" --dir "$O" \
    enroll --fingerprint "$fpr" "${dev:0:8}"

# The case commands on a full disk: the register of 3,000 households cannot
# fit in what is left, and the command says so in the one disk-full wording,
# not the database's "disk I/O error", and changes nothing.
python3 - >"$T/reg.csv" <<'PY'
print("hh_key,township,village,group,head_name,id_number,members")
for i in range(3000):
    print("34180210120%05d,341802101,341802101201,34180210120101,"
          "户主%d,341802197903150315,4" % (i, i))
PY
room=$(( ($(cat "$O"/office.db* | wc -c) + 1023) / 1024 + 64 ))
hh() { sqlite3 "$O/office.db" 'SELECT count(*) FROM hh;' 2>/dev/null; }
before=$(hh)
(ulimit -f "$room"; trap '' XFSZ; "$DOORSTEP_OFFICE" --dir "$O" --lang en \
    register import "$T/reg.csv") >"$T/en3" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "register import on a full disk fails (exit 1)" ||
    not_ok "register import on a full disk fails (exit 1)" \
    "exit $rc: $(cat "$T/en3")"
has "register says the disk is full" "$T/en3" "The disk is full"
has "register says what to do" "$T/en3" "Free some space on this computer"
hasnt "register: not the laptops' words" "$T/en3" "still on the laptops"
[ "$(hh)" = "$before" ] && ok "no household was added" ||
    not_ok "no household was added" "$(hh)"
(ulimit -f "$room"; trap '' XFSZ; "$DOORSTEP_OFFICE" --dir "$O" --lang zh \
    register import "$T/reg.csv") >"$T/zh3" 2>&1
has "register, in Chinese" "$T/zh3" "磁盘已满。乡镇数据未作任何改动。"
check "with room again, the register imports" "$DOORSTEP_OFFICE" --dir "$O" \
    register import "$T/reg.csv"
