/* doorstep: XLSForm loader: checks that need the whole form. */
/*
 * After the survey is read and indexed: the doorstep settings that name
 * questions (household_key, consent, instance_name), and the CSVs that
 * pulldata('x', ...) and instance('x') name without a declaration.
 */
#include "xls.h"

#include <stdio.h>
#include <string.h>

#include "xls_int.h"

/* Checks needing the whole form */

static const char *
setting_value(struct ld *ld, const char *key)
{
	return form_setting(ld->f, key);
}

static int
in_repeat(const struct form_node *nd)
{
	for (nd = nd->parent; nd != NULL; nd = nd->parent)
		if (nd->type == FT_REPEAT)
			return 1;
	return 0;
}

void
xls_load_doorstep_settings(struct ld *ld)
{
	struct form *f = ld->f;
	const struct form_node *nd;
	const char *v;
	size_t i;
	int line = ld->settings_line;

	if ((v = setting_value(ld, "household_key")) != NULL) {
		f->household_key = xls_strdup(ld, v);
		nd = form_find(f, v);
		if (nd == NULL)
			ERR(ld, line, "household_key", "unknown question "
			    "'%s'", v);
		else if (nd->type == FT_GROUP || nd->type == FT_REPEAT)
			ERR(ld, line, "household_key", "'%s' is a %s, not a "
			    "question", v, nd->type == FT_GROUP ? "group" :
			    "repeat");
		else if (in_repeat(nd))
			ERR(ld, line, "household_key", "'%s' is inside a "
			    "repeat; the household key must be answered "
			    "once", v);
	}
	if ((v = setting_value(ld, "consent")) != NULL) {
		f->consent = xls_strdup(ld, v);
		nd = form_find(f, v);
		if (nd == NULL)
			ERR(ld, line, "consent", "unknown question '%s'", v);
		else if (nd->type != FT_SELECT_ONE)
			ERR(ld, line, "consent", "consent question '%s' must "
			    "be a select_one (it is %s)", v,
			    form_type_name(nd->type));
		else if (in_repeat(nd))
			ERR(ld, line, "consent", "consent question '%s' must "
			    "not be inside a repeat", v);
		else if (nd->list >= 0) {
			const struct form_list *l = &f->lists[nd->list];

			for (i = 0; i < l->nchoices; i++)
				if (strcmp(l->choices[i].name, "yes") == 0)
					break;
			if (i == l->nchoices)
				ERR(ld, line, "consent", "list '%s' of "
				    "consent question '%s' has no choice "
				    "'yes'", l->name, v);
		}
	}
	if ((v = setting_value(ld, "instance_name")) != NULL) {
		if (strlen(v) > XLS_MAX_EXPR)
			ERR(ld, line, "instance_name", "expression too long "
			    "(limit %d)", XLS_MAX_EXPR);
		else
			f->instance_name = xls_strdup(ld, v);
	}
	f->version = xls_strdup(ld, setting_value(ld, "version"));
	f->title = xls_strdup(ld, setting_value(ld, "form_title"));
}

/*
 * pulldata('x', ...) and instance('x') may name a CSV next to the form
 * without any declaration (ODK Collect attaches media CSVs; pyxform adds
 * the instance).  Load x.csv for every such name that is not a list yet;
 * a missing file is left for the engine to report.
 */
static void
scan_lookups(struct ld *ld, const char *e)
{
	static const char *const fns[] = { "pulldata", "instance", NULL };
	const char *p, *q, *s;
	char id[256], file[300];
	size_t i, n;
	char quote;

	if (e == NULL || ld->opts->fetch == NULL)
		return;
	for (i = 0; fns[i] != NULL; i++) {
		for (p = e; (p = strstr(p, fns[i])) != NULL; p++) {
			if (p > e && (p[-1] == '_' || p[-1] == '-' ||
			    p[-1] == '.' || p[-1] == ':' ||
			    (p[-1] >= 'a' && p[-1] <= 'z') ||
			    (p[-1] >= 'A' && p[-1] <= 'Z') ||
			    (p[-1] >= '0' && p[-1] <= '9')))
				continue;
			q = p + strlen(fns[i]);
			while (*q == ' ')
				q++;
			if (*q++ != '(')
				continue;
			while (*q == ' ')
				q++;
			if (*q != '\'' && *q != '"')
				continue;
			quote = *q++;
			if ((s = strchr(q, quote)) == NULL)
				continue;
			n = (size_t)(s - q);
			if (n == 0 || n >= sizeof(id))
				continue;
			memcpy(id, q, n);
			id[n] = '\0';
			if (!xls_name_valid(id) ||
			    form_list_find(ld->f, id) >= 0)
				continue;
			snprintf(file, sizeof(file), "%s.csv", id);
			(void)xls_csv_list(ld, file, NULL, NULL, 1, 1, 0);
		}
	}
}

void
xls_load_lookups(struct ld *ld)
{
	const struct form_node *nd;
	size_t i;

	for (i = 0; i < ld->f->nnodes && !ld->oom && !ld->limit; i++) {
		nd = ld->f->nodes[i];
		scan_lookups(ld, nd->calculation);
		scan_lookups(ld, nd->relevant);
		scan_lookups(ld, nd->constraint);
		scan_lookups(ld, nd->warning);
		scan_lookups(ld, nd->required);
		scan_lookups(ld, nd->read_only);
		scan_lookups(ld, nd->default_value);
		scan_lookups(ld, nd->choice_filter);
		scan_lookups(ld, nd->repeat_count);
	}
	scan_lookups(ld, ld->f->instance_name);
}

/*
 * Collect and pyxform accept a form without a version, but every saved
 * revision must name its exact form: the version is then made from the
 * content hash (xls_hash), once every list file is read.
 */
void
xls_derive_version(struct ld *ld)
{
	char v[32];

	if (ld->f != NULL)
		ld->f->content_hash = ld->hash;
	if (ld->f->version != NULL || ld->oom)
		return;
	snprintf(v, sizeof(v), "auto-%016llx", (unsigned long long)ld->hash);
	ld->f->version = xls_strdup(ld, v);
	ld->f->version_derived = 1;
}
