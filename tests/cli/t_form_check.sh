#!/usr/bin/env bash
# doorstep form check: diagnostics like a compiler, summary, exit status.
. "$(dirname "$0")/../lib.sh"
export DOORSTEP_LANG=en

cat > "$T/good.md" <<'MD'
| survey |
|        | type              | name   | label::English (en) | label::中文 (zh) | relevant      | calculation |
|        | select_one yn     | kids   | Any children?       | 有孩子吗？       |               |             |
|        | begin repeat      | child  | Child               | 孩子             | ${kids}='yes' |             |
|        | text              | cname  | Name                | 姓名             |               |             |
|        | end repeat        |        |                     |                  |               |             |
|        | calculate         | n      |                     |                  |               | count(${child}) |
| choices |
|         | list_name | name | label::English (en) | label::中文 (zh) |
|         | yn        | yes  | Yes                 | 是               |
|         | yn        | no   | No                  | 否               |
| settings |
|          | form_id | version    |
|          | kidsform | 2026082201 |
MD
check "form check accepts a good form" "$DOORSTEP" form check "$T/good.md"
has "summary counts questions, groups, repeats, lists" "$T/.out" \
    "good.md: form kidsform version 2026082201: 3 questions, 0 groups, 1 repeats, 1 lists, 2 languages"

cat > "$T/bad.md" <<'MD'
| survey |
|        | type      | name | label | relevant     | calculation |
|        | integer   | age  | Age   |              |             |
|        | text      | job  | Job   | ${agee} > 16 |             |
|        | calculate | a    |       |              | ${b} + 1    |
|        | calculate | b    |       |              | ${a} + 1    |
|        | calculate | c    |       |              | substring('x', 1) |
MD
check_fail "form check fails on errors" 1 "$DOORSTEP" form check "$T/bad.md"
has "unknown reference with file, line and column" "$T/.out" \
    'bad.md:4: error: \[relevant\] unknown question ${agee}'
has "calculate cycle with the rows involved" "$T/.out" \
    'bad.md:5: error: \[calculation\] dependency cycle: a (line 5) -> b (line 6) -> a'
has "XPath 1.0 function rejected at load" "$T/.out" \
    'bad.md:7: error: \[calculation\] .*substring'
has "error count" "$T/.out" "bad.md: 3 error(s)"
DOORSTEP_LANG=zh "$DOORSTEP" form check "$T/bad.md" >"$T/.out" 2>&1
has "severity in Chinese" "$T/.out" 'bad.md:4: 错误: \[relevant\]'
has "error count in Chinese" "$T/.out" "bad.md：3 个错误"
DOORSTEP_LANG=zh "$DOORSTEP" form check "$T/good.md" >"$T/.out" 2>&1
has "summary in Chinese" "$T/.out" \
    "good.md：表单 kidsform 版本 2026082201：3 个问题，0 个分组，1 个重复组，1 个选项列表，2 种语言（English (en), 中文 (zh)）"
hasnt "summary in one language" "$T/.out" "questions"
cat > "$T/typo.md" <<'MD'
| survey |
|        | type    | name | label | relevnt |
|        | integer | a    | A     |         |
MD
DOORSTEP_LANG=zh "$DOORSTEP" form check "$T/typo.md" >"$T/.out" 2>&1
has "a misspelt column in Chinese" "$T/.out" '未知的列“relevnt”：是不是“relevant”？'
DOORSTEP_LANG=en "$DOORSTEP" form check "$T/typo.md" >"$T/.out" 2>&1
has "a misspelt column in English" "$T/.out" "unknown column 'relevnt': did you mean 'relevant'?"

check_fail "one bad file among good ones fails" 1 "$DOORSTEP" form check \
    "$T/good.md" "$T/bad.md"
has "the good one still gets its summary" "$T/.out" "good.md: form kidsform"
check_fail "missing file fails" 1 "$DOORSTEP" form check "$T/nope.md"
check_fail "no file is a usage error" 64 "$DOORSTEP" form check
