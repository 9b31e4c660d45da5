/* doorstep: form diagnostics in the user's language. */
/*
 * One msgid per code of enum form_diag_code, filled with the facts; the
 * location and the severity are worded the same way for every code.
 */
#include "i18n_diag.h"

#include <stdio.h>

#include "i18n.h"

/*
 * Words made in lower layers that reach the user as English msgids: the
 * alternatives the loader names for a refused type (xls_survey.c) and the
 * format hints of location questions (val_geo_hint).  Listed here so that
 * xgettext finds them; test_xls_compat.c checks the lists agree.
 */
const char *const i18n_lower_msgids[] = {
	N_("a note asking the worker to record on another device"),
	N_("geopoint or start-geopoint"),
	N_("a CSV file with csv-external"),
	N_("geopoint, or select_one with the tags as choices"),
	N_("one select_one per place (first, second, ...)"),
	N_("Format: latitude longitude [altitude accuracy], for example "
	    "30.5728 104.0668"),
	N_("Format: points separated by ';', for example 30.57 104.06; "
	    "30.58 104.07"),
	N_("Format: 3 or more points separated by ';'; the area is closed "
	    "for you"),
	NULL
};

static const char *
fact(const struct form_diag *g, int i)
{
	return g->fact[i] != NULL ? g->fact[i] : "";
}

void
i18n_form_diag(const struct form_diag *g, char *buf, size_t n)
{
	char where[64] = "", msg[768];

	if (n == 0)
		return;
	switch (g->code) {
	case FD_COL_TYPO:
		snprintf(msg, sizeof(msg), _("unknown column '%s': did you "
		    "mean '%s'?"), fact(g, 0), fact(g, 1));
		break;
	case FD_COL_UNKNOWN:
		snprintf(msg, sizeof(msg), _("unknown column '%s' is "
		    "ignored"), fact(g, 0));
		break;
	case FD_COL_DELIM:
		snprintf(msg, sizeof(msg), _("column '%s' uses ':' where the "
		    "other columns use '::'; it is ignored, as pyxform "
		    "does"), fact(g, 0));
		break;
	case FD_COL_UNUSED:
		snprintf(msg, sizeof(msg), _("column '%s' is not used by "
		    "doorstep; ignored"), fact(g, 0));
		break;
	case FD_TYPE_REFUSED:
		snprintf(msg, sizeof(msg), _("question type '%s' is not "
		    "supported by doorstep; use %s"), fact(g, 0),
		    _(fact(g, 1)));
		break;
	case FD_TYPE_TAGS:
		snprintf(msg, sizeof(msg), _("the tags of list '%s' are not "
		    "offered: the worker attaches the .osm file (from "
		    "OpenMapKit or JOSM) by its path"), fact(g, 0));
		break;
	case FD_NAME_AMBIGUOUS:
		snprintf(msg, sizeof(msg), _("${%s} is ambiguous: questions "
		    "named '%s' are at lines %s"), fact(g, 0), fact(g, 0),
		    fact(g, 1));
		break;
	case FD_XLS_CONVERT:
		snprintf(msg, sizeof(msg), _("%s is a legacy Excel 97-2003 "
		    "workbook (.xls) and could not be read; open it in Excel "
		    "or LibreOffice and use File > Save As > Excel Workbook "
		    "(.xlsx), then use the .xlsx file"), fact(g, 0));
		break;
	default:
		snprintf(msg, sizeof(msg), "%s", g->msg ? g->msg : "");
		break;
	}
	if (g->line > 0)
		snprintf(where, sizeof(where), ":%d", g->line);
	snprintf(buf, n, "%s%s: %s: %s%s%s%s", g->file ? g->file : "form",
	    where, g->is_error ? _("error") : _("warning"),
	    g->column ? "[" : "", g->column ? g->column : "",
	    g->column ? "] " : "", msg);
}

const char *
i18n_form_type_note(enum form_type t)
{
	switch (t) {
	case FT_GEOPOINT:
		return _("typed as latitude longitude [altitude accuracy], "
		    "or read from a GPS receiver through gpsd");
	case FT_GEOTRACE:
		return _("typed as two or more points separated by ';'");
	case FT_GEOSHAPE:
		return _("typed as three or more points separated by ';' "
		    "(closed for you)");
	case FT_START_GEOPOINT:
		return _("read from gpsd when the interview starts; left "
		    "empty without a fix");
	case FT_BARCODE:
		return _("typed; a USB scanner types like a keyboard");
	case FT_IMAGE:
	case FT_AUDIO:
	case FT_VIDEO:
	case FT_FILE:
		return _("a file attached from disk by its path (fill --attach, "
		    "or the path prompt): checked by its first bytes, at most "
		    "16 MiB, kept encrypted with the record");
	case FT_PHONENUMBER:
	case FT_SIMSERIAL:
	case FT_SUBSCRIBERID:
	case FT_EMAIL:
		return _("a laptop has none: accepted and left empty");
	case FT_AUDIT:
		return _("the store always keeps the record's audit trail "
		    "(opened, saved, finalized, exported); accepted, with no "
		    "per-question timings");
	default:
		return NULL;
	}
}

const char *
i18n_form_range_note(void)
{
	return _("a number typed on the keyboard, kept between start and "
	    "end and on the step");
}

const char *
i18n_form_likert_note(void)
{
	return _("the choices shown as a list, one key each");
}
