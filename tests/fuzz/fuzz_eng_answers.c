/* doorstep: fuzz the engine with answers documents (fill and restore). */
/*
 * Input: a JSON answers document for a fixed form with a nested roster,
 * relevance, a constraint, a warning and a consent gate.  It goes through
 * eng_apply_answers (as `doorstep fill` does) and eng_restore (as a saved
 * record does).  Invariant: whatever state results, serializing it,
 * restoring that and serializing again gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "xls.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *MD =
"| survey |\n"
"| | type | name | label | relevant | constraint | warning | calculation | repeat_count |\n"
"| | select_one yn | consent | Agree? | | | | | |\n"
"| | integer | size | Size | | . >= 0 and . < 20 | . < 12 | | |\n"
"| | begin repeat | member | Member | | | | | ${size} |\n"
"| | text | mname | Name | | | | | |\n"
"| | integer | age | Age | | . < 130 | . < 100 | | |\n"
"| | select_multiple h | health | Health | ${age} > 15 | | | | |\n"
"| | begin repeat | child | Child | | | | | |\n"
"| | date | born | Born | | | | | |\n"
"| | calculate | cpos | | | | | position(..) | |\n"
"| | end repeat | | | | | | | |\n"
"| | end repeat | | | | | | | |\n"
"| | calculate | total | | | | | sum(${age}) | |\n"
"| choices |\n"
"| | list_name | name | label |\n"
"| | yn | yes | Yes |\n"
"| | yn | no | No |\n"
"| | h | ill | Ill |\n"
"| | h | dis | Disabled |\n"
"| settings |\n"
"| | form_id | consent |\n"
"| | fz | consent |\n";

static struct form *form;
static struct eng_form *cf;

/*
 * The canonical document; eng_to_text must write the same bytes, and
 * without the cursor the same as the tree without "path" and
 * "unconfirmed" (what sess compares on a move).
 */
static char *
canon(struct eng *e, size_t *len)
{
	json_t *j = NULL, *m;
	char *s = NULL, *t = NULL, *u = NULL, *v = NULL;
	size_t tl = 0, ul = 0, vl = 0;

	if (eng_to_json(e, &j, NULL) != DS_OK)
		return NULL;
	if (ds_json_canonical(j, &s, len, NULL) != DS_OK)
		s = NULL;
	if (s != NULL) {
		if (eng_to_text(e, 0, &t, &tl, NULL) != DS_OK || tl != *len ||
		    memcmp(s, t, tl) != 0)
			abort();
		ds_free(t);
		m = json_object_get(j, "_meta");
		(void)json_object_del(m, "path");
		(void)json_object_del(m, "unconfirmed");
		if (ds_json_canonical(j, &u, &ul, NULL) != DS_OK ||
		    eng_to_text(e, ENG_TEXT_NO_CURSOR, &t, &tl, NULL) !=
		    DS_OK || tl != ul || memcmp(u, t, tl) != 0)
			abort();
		ds_free(t);
		/* both at once */
		if (eng_to_texts(e, &t, &tl, &v, &vl, NULL) != DS_OK ||
		    tl != *len || memcmp(t, s, tl) != 0 || vl != ul ||
		    memcmp(v, u, vl) != 0)
			abort();
		ds_free(t);
		ds_free(v);
		ds_free(u);
	}
	json_decref(j);
	return s;
}

/* restore(serialize(e)) must serialize to the same bytes */
static void
round_trip(struct eng *e)
{
	struct eng *r = NULL;
	char *a, *b;
	size_t la = 0, lb = 0;
	json_t *j = NULL;

	if ((a = canon(e, &la)) == NULL)
		return;
	if (ds_json_parse(a, la, 1u << 24, "fuzz", &j, NULL) == DS_OK &&
	    eng_restore(cf, NULL, j, &r, NULL) == DS_OK) {
		b = canon(r, &lb);
		if (b != NULL && (la != lb || memcmp(a, b, la) != 0))
			abort();
		ds_free(b);
		eng_free(r);
	}
	if (j != NULL)
		json_decref(j);
	ds_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_diags d;
	struct xls_opts o;
	struct eng *e = NULL, *r = NULL;
	struct eng_issue *v = NULL;
	size_t n = 0;
	json_t *doc = NULL;

	if (form == NULL) {
		ds_json_init();
		memset(&o, 0, sizeof(o));
		o.source = "fz.md";
		form_diags_init(&d);
		if (form_load_md(MD, strlen(MD), &o, &form, &d) != DS_OK ||
		    eng_compile(form, &cf, &d) != DS_OK)
			abort();
		form_diags_reset(&d);
	}
	if (size > 65536 || ds_json_parse((const char *)data, size, 65536,
	    "fuzz", &doc, NULL) != DS_OK)
		return 0;
	if (eng_open(cf, NULL, &e, NULL) == DS_OK) {
		(void)eng_apply_answers(e, doc, &v, &n);
		eng_issues_free(v, n);
		round_trip(e);
		(void)eng_finalize(e, NULL);
		round_trip(e);
		eng_free(e);
	}
	if (eng_restore(cf, NULL, doc, &r, NULL) == DS_OK) {
		(void)eng_prompt(r);
		round_trip(r);
		eng_free(r);
	}
	json_decref(doc);
	return 0;
}
