#!/usr/bin/python3
# Writes legacy.xls, an Excel 97-2003 (BIFF8) form, with Debian's
# python3-xlwt: the fixture of the .xls reader (src/xls_biff.c), checked in
# so the suite does not need xlwt.  Run: /usr/bin/python3 make_xls.py
import datetime
import xlwt

wb = xlwt.Workbook()
s = wb.add_sheet('survey')
rows = [["type", "name", "label:English", "bind:constraint",
         "bind:jr:constraintMsg:English", "default"],
        ["integer", "age", "Age", ". >= 5", "Too young", None],
        ["date", "visit", "Visit date", None, None, None],
        ["decimal", "x", "X", None, None, None],
        ["select_one yn", "ok", "OK?", None, None, None]]
for i, r in enumerate(rows):
    for j, v in enumerate(r):
        if v is not None:
            s.write(i, j, v)
s.write(2, 5, datetime.date(2026, 1, 1),
        xlwt.easyxf(num_format_str='yyyy-mm-dd'))
s.write(3, 5, 1.5)
c = wb.add_sheet('choices')
# number cells as choice names: "1", not "1.0"
for i, r in enumerate([["list_name", "name", "label"], ["yn", 1, "Yes"],
                       ["yn", 0, "No"]]):
    for j, v in enumerate(r):
        c.write(i, j, v)
st = wb.add_sheet('settings')
st.write(0, 0, 'form_id')
st.write(1, 0, 'legacy')
wb.save('legacy.xls')
