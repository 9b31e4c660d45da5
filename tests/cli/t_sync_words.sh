#!/usr/bin/env bash
# The words policy for the sync status lines: `sync export` (the bundle
# written), `sync status` and the office's `import` say each line in the
# chosen language only, once in Chinese and once in English.
. "$(dirname "$0")/../lib.sh"

field_ws || exit 0
cat >"$T/f.md" <<'MD'
| survey |
|        | type | name | label |
|        | text | head | Head  |
| settings |
|          | form_id | version | household_key | head_name |
|          | words   | 1       | head          | head      |
MD
for h in Zhang Li; do
	echo "{\"head\": \"$h\"}" >"$T/a.json"
	ds fill "$T/f.md" --answers "$T/a.json" --finalize >/dev/null 2>&1 ||
	    not_ok "fill $h"
done
# English words that must not show in a Chinese run.
EN='bundle written\|revision\|pending\|sequence\|acknowledged\|receipt\|imported\|new,\|duplicate\|device '

check "sync status (zh)" ds --lang zh sync status
has "zh: last save" "$T/.out" "最后一次保存的序号：2"
has "zh: pending" "$T/.out" "待确认：2 条记录（2 个版本），序号 1-2，办公室尚未确认"
has "zh: counts by state" "$T/.out" "已完成 *2"
hasnt "zh: no English" "$T/.out" "$EN"
check "sync status (en)" ds --lang en sync status
has "en: last save" "$T/.out" "last save sequence: 2"
has "en: pending" "$T/.out" \
    "pending: 2 record(s) (2 revision(s)) in sequence 1-2, not yet acknowledged"
has "en: counts by state" "$T/.out" "finalized *2"
no_zh "en: no Chinese" "$T/.out"

check "sync export (en)" ds --lang en sync export --out "$T/usb1"
has "en: bundle written" "$T/.out" "^bundle written: $T/usb1/"
has "en: its revisions" "$T/.out" "  2 revision(s), sequence 1-2, [0-9]* bytes"
no_zh "en: no Chinese" "$T/.out"
echo '{"head": "Wang"}' >"$T/a.json"
ds fill "$T/f.md" --answers "$T/a.json" --finalize >/dev/null 2>&1
check "sync export (zh)" ds --lang zh sync export --out "$T/usb2"
has "zh: bundle written" "$T/.out" "^数据包已写出：$T/usb2/"
has "zh: its revisions" "$T/.out" "  [0-9]* 个版本，序号 [0-9]*-3，[0-9]* 字节"
hasnt "zh: no English" "$T/.out" "$EN"

b1=$(find "$T/usb1" -name '*.dsb' | head -1)
fpr=$(fingerprint "$W" --passphrase-file "$T/pass")
check "enroll" O enroll --fingerprint "$fpr" "$b1"
check "import (zh)" O --lang zh import "$T/usb2"
has "zh: imported" "$T/.out" ": 已导入（新增 [0-9]*，重复 [0-9]*，分叉 0）设备 [0-9a-f]\{8\} 序号 [0-9]*-3"
has "zh: receipt" "$T/.out" "^  回执 "
hasnt "zh: no English" "$T/.out" "$EN"
check "import again (en)" O --lang en import "$T/usb2"
has "en: already imported" "$T/.out" \
    ": already imported ([0-9]* new, [0-9]* duplicate, 0 fork(s)) device [0-9a-f]\{8\} seq [0-9]*-3"
has "en: receipt" "$T/.out" "^  receipt "
no_zh "en: no Chinese" "$T/.out"
mkdir -p "$T/empty"
check_fail "an empty folder (zh)" 1 O --lang zh import "$T/empty"
has "zh: no bundles found" "$T/.out" "import：没有找到数据包"
check_fail "an empty folder (en)" 1 O --lang en import "$T/empty"
has "en: no bundles found" "$T/.out" "import: no bundles found"
