#!/usr/bin/env bash
# issue 12, rosters: "add another member?" at the end of each member (and
# none where repeat_count gives the number), every roster row and member
# screen naming its own member, and a finalized record's roster offering
# no change while Esc and F10 work.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

i12_app
i12_to_roster
# member NAME ID GRADE#: one member with an ID card; sex and birth date
# come from the number and the Enter on the number confirms them.
member() {
	t "* Name" "$1"
	q "* ID document" 1
	id "$2"
	q "* School grade" $3
}
q "No one yet" a
member "李小红" "$ID_GIRL" 1
tm_check asks_another_member "Add another: Member?"
tm_keys y
tm_check yes_opens_the_next_member "Member  2"
member "王建国" "$ID_MAN" F6
# The roster: each row its own member; the title names no one.
tm_check roster_title_names_no_one "  Member: 2"
tm_check roster_row_one "1  李小红"
tm_check roster_row_two "2  王建国"
if tm_screen | grep -q "Member 李小红: 2"; then
	not_ok roster_title_not_the_head "$(tm_screen)"
else ok roster_title_not_the_head; fi
tm_keys Escape
tm_check member_screen_names_member "Member 王建国 2"
tm_keys 1
q "Add another: Member?" n
# repeat_count: two children, no question between them.
tm_check counted_roster_shows_count "Child living away: 2 of 2"
tm_keys Enter
t "Name of the child" "甲"
tm_check counted_goes_to_next_item "Child living away 2"
if tm_screen | grep -q "Add another"; then
	not_ok counted_roster_never_asks "$(tm_screen)"
else ok counted_roster_never_asks; fi
t "Name of the child" "乙"
q "Wages (yuan)" Enter Enter
q "Head 李小红, 2 persons." Enter
# Finalized: the roster offers nothing that changes it; Esc and F10 work.
q "No errors and no open warnings." f
q "Finalize this household?" y
q "Finalized and saved." Enter
q "This household is finalized" Escape
q "Head 李小红, 2 persons." F5
q "answered" Home
tm_keys Down Down Down Down Down Down Down Down Down Down Down Down Down Down \
    Down
q "Member (2, Enter: roster)" Enter
tm_check finalized_roster_lists "2  王建国"
if tm_screen | grep -q "D Delete\|A Add"; then
	not_ok finalized_roster_offers_no_change "$(tm_screen)"
else ok finalized_roster_offers_no_change; fi
tm_keys d
tm_check_gone finalized_d_asks_nothing "Delete"
if tm_screen | grep -qi "finalized\b.*record\|record is"; then
	not_ok finalized_no_english_refusal "$(tm_screen)"
else ok finalized_no_english_refusal; fi
tm_keys Escape
tm_check finalized_esc_leaves_roster "How many children live away?"
tm_keys F10
tm_check finalized_f10_closes "Households: 1"
tm_keys F10
tm_check_exit quits_en

# The same question in Chinese: 再添加一位家庭成员？
app_zh "$W"
q "农户：1" n
q "采集人姓名" Enter
t "第二名工作人员" "王五"
q "> " Enter Enter Enter Enter
q "请宣读承诺授权书。" Enter
q "户主是否签署承诺授权书？" 1
t "签字人" "张三"
t "户编号" "H002"
t "有几个孩子在外地？" 0
q "还没有成员" a
t "* 姓名" "赵六"
q "* 证件类型" 2
q "* 性别" 2
t "* 出生日期" 19800101
q "* 年级" 1
tm_check asks_another_member_zh "再添加一位家庭成员？"
tm_keys n
q "在外地的孩子：0 / 0" F4
q "工资收入" F10
q "农户：2" F10
tm_check_exit quits
