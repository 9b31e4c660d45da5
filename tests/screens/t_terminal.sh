#!/usr/bin/env bash
# Screen test in a real terminal (tmux): first screen, help overlay, the
# too-small message and redraw on resize, quitting with F10 and Ctrl-X,
# in English and Chinese.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"

ws="$T/ws-none"
start() {	# lang
	tm_start 80 24 LANG="$1" LC_ALL="$1" LANGUAGE= \
	    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" -- \
	    "$DOORSTEP" --workspace "$ws"
}

start C.UTF-8
tm_check first_screen_names_workspace "$ws"
tm_check first_screen_says_how "--office-key FILE --worker NAME"
tm_keys F1
tm_check f1_opens_help "Show this help"
tm_keys Escape
tm_check_gone any_key_closes_help "Show this help"
tm_keys '?'
tm_check question_mark_opens_help "Switch language (Chinese / English)"
tm_keys x
tm_wait_gone "Show this help"
tm_keys C-g
tm_check ctrl_g_opens_help "Show this help"
tm_keys q
tm_resize 70 20
tm_check resize_small_shows_message "Terminal too small (need 80x24)"
tm_check_gone resize_small_one_language "终端窗口太小"
tm_resize 100 30
tm_check_gone resize_back_redraws "Terminal too small"
tm_check resize_back_shows_screen "$ws"
# The footer moves to the new last row at once.
if tm_screen | sed -n '30p' | grep -q "F10"; then ok footer_on_new_last_row
else not_ok footer_on_new_last_row "row 30: $(tm_screen | sed -n '30p')"; fi
tm_keys F10
tm_check_exit f10_quits

# Ctrl-X for terminals without F-keys; Chinese app strings from the locale.
if locale -a 2>/dev/null | grep -qi '^zh_CN.utf-\?8$'; then
	start zh_CN.UTF-8
	tm_check chinese_locale_strings "这台电脑上还没有工作区"
	tm_keys F1
	tm_check chinese_help "显示本帮助"
	tm_keys Escape
	tm_resize 70 20
	tm_check zh_resize_small_shows_message "终端窗口太小"
	tm_check_gone zh_resize_small_one_language "Terminal too small"
	tm_resize 80 24
	tm_wait_gone "终端窗口太小"
	tm_keys C-x
	tm_check_exit ctrl_x_quits
else
	not_ok chinese_locale_strings "zh_CN.UTF-8 locale missing (make deps)"
fi
