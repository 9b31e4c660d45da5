/* doorstep: tests for the XLSForm loader (markdown input). */
#include "harness.h"
#include "support/support.h"

#include <stdio.h>
#include <stdlib.h>

#include "form.h"
#include "buf.h"
#include "mem.h"
#include "util.h"
#include "xls.h"

/* Sibling files for the fetch callback: name, content pairs. */
struct files {
	const char	*name[8];
	const char	*text[8];
};

static enum ds_status
mem_fetch(void *arg, const char *name, char **data, size_t *len,
    struct ds_err *err)
{
	const struct files *fs = arg;
	size_t i;

	for (i = 0; i < 8 && fs->name[i] != NULL; i++)
		if (strcmp(fs->name[i], name) == 0) {
			if ((*data = ds_strdup(fs->text[i])) == NULL)
				return ds_err_set(err, DS_ENOMEM, NULL);
			*len = strlen(fs->text[i]);
			return DS_OK;
		}
	return ds_err_set(err, DS_ENOENT, "no such file");
}

static struct form_diags diags;
static char diagbuf[64][512];

/* Load markdown; fill diagbuf with the formatted diagnostics. */
static enum ds_status
load_with(const char *md, const struct files *fs, struct form **f)
{
	struct xls_opts o = { "t.md", mem_fetch, NULL };
	enum ds_status rc;
	size_t i;

	o.fetch_arg = (void *)(uintptr_t)fs;
	if (fs == NULL)
		o.fetch = NULL;
	form_diags_reset(&diags);
	*f = NULL;
	rc = form_load_md(md, strlen(md), &o, f, &diags);
	memset(diagbuf, 0, sizeof(diagbuf));
	for (i = 0; i < diags.n && i < 64; i++)
		form_diag_format(&diags.v[i], diagbuf[i], sizeof(diagbuf[i]));
	return rc;
}

static enum ds_status
load(const char *md, struct form **f)
{
	return load_with(md, NULL, f);
}

/* 1 if some diagnostic is exactly `want`. */
static int
has_diag(const char *want)
{
	size_t i;

	for (i = 0; i < diags.n && i < 64; i++)
		if (strcmp(diagbuf[i], want) == 0)
			return 1;
	printf("# diagnostics (%zu):\n", diags.n);
	for (i = 0; i < diags.n && i < 64; i++)
		printf("#   %s\n", diagbuf[i]);
	return 0;
}

/* Load a form that must fail with exactly one error, `want`. */
#define ONE_ERROR(md, want) do {					\
	struct form *f_;						\
	ST_EQ(load(md, &f_), DS_EPARSE, NULL);				\
	OK(f_ == NULL);							\
	INT_EQ(diags.nerrors, 1);					\
	OK(has_diag(want));						\
} while (0)

static const char canonical[] =
    "# A household form\n"
    "| survey |\n"
    "|        | type              | name  | label::English (en) | relevant      |\n"
    "|        | select_one yes_no | kids  | Any children?       |               |\n"
    "|        | begin repeat      | child | Child               | ${kids}='yes' |\n"
    "|        | text              | cname | Name                |               |\n"
    "|        | end repeat        |       |                     |               |\n"
    "| choices |\n"
    "|         | list_name | name | label::English (en) |\n"
    "|         | yes_no    | yes  | Yes                 |\n"
    "|         | yes_no    | no   | No                  |\n"
    "| settings |\n"
    "|          | form_id | version    | default_language |\n"
    "|          | hh      | 2026082201 | English (en)     |\n";

static void
test_canonical_layout(void)
{
	struct form *f;
	const struct form_node *n;

	ST_EQ(load(canonical, &f), DS_OK, NULL);
	if (f == NULL)
		return;
	INT_EQ(diags.n, 0);
	STR_EQ(f->id, "hh");
	STR_EQ(f->version, "2026082201");
	STR_EQ(f->source, "t.md");
	INT_EQ(f->nlangs, 1);
	STR_EQ(f->langs[0], "English (en)");
	INT_EQ(f->default_lang, 0);
	INT_EQ(f->nnodes, 4);
	OK(f->root == f->nodes[0]);
	INT_EQ(f->root->type, FT_ROOT);
	INT_EQ(f->root->nkids, 2);
	n = form_find(f, "kids");
	OK(n != NULL && n->type == FT_SELECT_ONE && n->line == 4);
	OK(n != NULL && n->list == form_list_find(f, "yes_no"));
	STR_EQ(form_text_get(f, &n->label, 0), "Any children?");
	n = form_find(f, "cname");
	OK(n != NULL && n->parent == form_find(f, "child"));
	OK(n != NULL && n->depth == 2 && n->index == 3);
	n = form_find(f, "child");
	OK(n != NULL && n->type == FT_REPEAT && n->nkids == 1);
	STR_EQ(n ? n->relevant : NULL, "${kids}='yes'");
	INT_EQ(f->nlists, 1);
	INT_EQ(f->lists[0].nchoices, 2);
	STR_EQ(f->lists[0].choices[1].name, "no");
	INT_EQ(f->lists[0].choices[1].line, 11);
	STR_EQ(form_text_get(f, &f->lists[0].choices[0].label, 0), "Yes");
	OK(f->lists[0].file == NULL);
	STR_EQ(form_setting(f, "DEFAULT_LANGUAGE"), "English (en)");
	OK(form_find(f, "nope") == NULL);
	form_free(f);
}

static void
test_header_on_sheet_line_prose_and_escapes(void)
{
	struct form *f;
	const struct form_node *n;

	ST_EQ(load("Prose before | with a pipe is not a table line.\n"
	    "| survey | type | name | label | hint |\n"
	    "  # | comment | row | is | skipped |\n"
	    "|  | text | a | A \\| B | h | trailing text\n"
	    "|---|---|---|---|---|\n"
	    "|  | note | b |  | only hint |   # a comment tail\n"
	    "\n"
	    "|  |  |  |  |  |\n", &f), DS_OK, NULL);
	if (f == NULL)
		return;
	INT_EQ(f->nnodes, 3);
	n = form_find(f, "a");
	STR_EQ(n ? form_text_get(f, &n->label, 0) : NULL, "A | B");
	STR_EQ(n ? form_text_get(f, &n->hint, 0) : NULL, "h");
	INT_EQ(n ? n->line : 0, 4);
	n = form_find(f, "b");
	OK(n != NULL && n->label.v == NULL);
	STR_EQ(f->langs[0], "default");
	STR_EQ(f->id, "t");
	form_free(f);
}

static void
test_spaced_separator_rejected(void)
{
	ONE_ERROR("| survey |\n"
	    "| | type | name |\n"
	    "| | --- | --- |\n"
	    "| | text | a |\n",
	    "t.md:3: error: separator row with spaces or colons is data to "
	    "pyxform: write |---|---| (no spaces, no colons) or leave it out");
	ONE_ERROR("| survey | type | name |\n"
	    "|:--|:--|--:|\n"
	    "| | text | a |\n",
	    "t.md:2: error: separator row with spaces or colons is data to "
	    "pyxform: write |---|---| (no spaces, no colons) or leave it out");
}

static void
test_bom_nul_and_bad_utf8_rejected(void)
{
	struct form *f;

	ONE_ERROR("\xef\xbb\xbf| survey | type | name |\n| | text | a |\n",
	    "t.md:1: error: file starts with a byte order mark, which makes "
	    "pyxform skip the first line: save it as UTF-8 without BOM");
	ONE_ERROR("| survey | type | name |\n| | text | \xff |\n",
	    "t.md:2: error: invalid UTF-8");
	ST_EQ(form_load_md("| survey |\n|\0|", 13,
	    &(struct xls_opts){ "t.md", NULL, NULL }, &f, &diags), DS_EPARSE,
	    NULL);
}

static void
test_sheet_rules(void)
{
	struct form *f;

	/* A single sheet of any name is the survey. */
	ST_EQ(load("| questions | type | name | label |\n"
	    "| | text | a | A |\n", &f), DS_OK, NULL);
	OK(f != NULL && f->nnodes == 2);
	form_free(f);
	/* Case-insensitive sheet and column names; _sheets and unknown
	 * sheets are ignored. */
	ST_EQ(load("| SURVEY | Type | NAME | Label |\n"
	    "| | text | a | A |\n"
	    "| _notes | anything | here |\n"
	    "| | x | y |\n"
	    "| extra | whatever |\n"
	    "| Settings | Form_ID |\n"
	    "| | myform |\n", &f), DS_OK, NULL);
	OK(f != NULL && f->nnodes == 2);
	STR_EQ(f ? f->id : NULL, "myform");
	form_free(f);
	ONE_ERROR("| survey | type | name |\n| | text | a |\n"
	    "| Survey | type | name |\n",
	    "t.md:3: error: sheet 'Survey' appears twice (first at line 1)");
	ONE_ERROR("| choices | list_name | name |\n| | l | a |\n"
	    "| settings | form_id |\n| | x |\n",
	    "t.md: error: no survey sheet");
}

static void
test_every_type_and_alias(void)
{
	static const struct {
		const char	*type;
		enum form_type	 want;
	} cases[] = {
		{ "text", FT_TEXT }, { "string", FT_TEXT },
		{ "integer", FT_INTEGER }, { "int", FT_INTEGER },
		{ "decimal", FT_DECIMAL },
		{ "select_one l", FT_SELECT_ONE },
		{ "select one l", FT_SELECT_ONE },
		{ "select1 l", FT_SELECT_ONE },
		{ "select_multiple l", FT_SELECT_MULTIPLE },
		{ "select all that apply l", FT_SELECT_MULTIPLE },
		{ "date", FT_DATE }, { "time", FT_TIME },
		{ "dateTime", FT_DATETIME }, { "note", FT_NOTE },
		{ "acknowledge", FT_ACKNOWLEDGE },
		{ "calculate", FT_CALCULATE }, { "hidden", FT_HIDDEN },
		{ "start", FT_START }, { "end", FT_END },
		{ "today", FT_TODAY }, { "deviceid", FT_DEVICEID },
		{ "imei", FT_DEVICEID }, { "username", FT_USERNAME },
		/* pyxform's alias table (issue 15) */
		{ "datetime", FT_DATETIME }, { "date time", FT_DATETIME },
		{ "add date time prompt", FT_DATETIME },
		{ "add text prompt", FT_TEXT }, { "phone number", FT_TEXT },
		{ "trigger", FT_ACKNOWLEDGE },
		{ "uri:deviceid", FT_DEVICEID }, { "uri:username", FT_USERNAME },
		{ "gps", FT_GEOPOINT }, { "location", FT_GEOPOINT },
		{ "add location prompt", FT_GEOPOINT },
		{ "geotrace", FT_GEOTRACE }, { "geoshape", FT_GEOSHAPE },
		{ "start-geopoint", FT_START_GEOPOINT },
		{ "barcode", FT_BARCODE }, { "add barcode prompt", FT_BARCODE },
		{ "phonenumber", FT_PHONENUMBER },
		{ "uri:phonenumber", FT_PHONENUMBER },
		{ "simserial", FT_SIMSERIAL }, { "sim id", FT_SIMSERIAL },
		{ "subscriberid", FT_SUBSCRIBERID }, { "email", FT_EMAIL },
		{ "uri:email", FT_EMAIL }, { "audit", FT_AUDIT },
		{ "image", FT_IMAGE }, { "photo", FT_IMAGE },
		{ "q picture", FT_IMAGE }, { "add photo prompt", FT_IMAGE },
		{ "audio", FT_AUDIO }, { "add audio prompt", FT_AUDIO },
		{ "video", FT_VIDEO }, { "q video", FT_VIDEO },
		{ "file", FT_FILE }, { "add file prompt", FT_FILE },
		{ "add select one prompt using l", FT_SELECT_ONE },
		{ "select all that apply from l", FT_SELECT_MULTIPLE },
	};
	char md[2048];
	struct form *f;
	const struct form_node *n;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(md, sizeof(md), "| survey | type | name | label |\n"
		    "| | %s | q | Q |\n"
		    "| choices | list_name | name | label |\n"
		    "| | l | a | A |\n", cases[i].type);
		ST_EQ(load(md, &f), DS_OK, NULL);
		n = form_find(f, "q");
		if (n == NULL || n->type != cases[i].want)
			HARNESS_FAIL("type '%s' gave %d, want %d",
			    cases[i].type, n ? (int)n->type : -1,
			    (int)cases[i].want);
		form_free(f);
	}
	ST_EQ(load("| survey | type | name | label |\n"
	    "| | begin group | g | G |\n"
	    "| | begin_repeat | r | R |\n"
	    "| | select_one  l   or_other | s | S |\n"
	    "| | select_multiple l | m | M |\n"
	    "| | end_repeat | | |\n"
	    "| | end group | | |\n"
	    "| choices | list_name | name | label |\n"
	    "| | l | a | A |\n", &f), DS_OK, NULL);
	n = form_find(f, "s");
	OK(n != NULL && n->or_other && n->list == 0 && !n->from_file);
	n = form_find(f, "m");
	OK(n != NULL && !n->or_other && n->type == FT_SELECT_MULTIPLE);
	OK(form_find(f, "g") != NULL && form_find(f, "g")->type == FT_GROUP);
	STR_EQ(form_type_name(FT_DATETIME), "dateTime");
	STR_EQ(form_type_name(FT_GROUP), "begin_group");
	form_free(f);
}

static void
test_columns_and_aliases(void)
{
	struct form *f;
	const struct form_node *n;

	ST_EQ(load("| survey | type | name | label | hint | required "
	    "| required message | constraint | constraint message "
	    "| warning | warning_message | relevance | calculate "
	    "| default | choice_filter | read_only | appearance "
	    "| trigger | parameters |\n"
	    "| | integer | age | Age | years | yes | need it | . < 120 "
	    "| too old | . < 100 | really? | ${x} = 1 | 1 + 1 | 5 "
	    "| | TRUE | numbers  thousands-sep | ${x} | |\n"
	    "| | select_one l | x | X | | no | | | | | | | | "
	    "| a = 1 | false() | | | randomize=true seed=${age} |\n"
	    "| | begin repeat | r | R | | | | | | | | | | | | | | | |\n"
	    "| | end repeat | | | | | | | | | | | | | | | | | |\n"
	    "| choices | list_name | name | label | a |\n"
	    "| | l | one | One | 1 |\n", &f), DS_OK, NULL);
	if (f == NULL)
		return;
	n = form_find(f, "age");
	STR_EQ(n->required, "true()");
	STR_EQ(form_text_get(f, &n->required_msg, 0), "need it");
	STR_EQ(n->constraint, ". < 120");
	STR_EQ(form_text_get(f, &n->constraint_msg, 0), "too old");
	STR_EQ(n->warning, ". < 100");
	STR_EQ(form_text_get(f, &n->warning_msg, 0), "really?");
	STR_EQ(n->relevant, "${x} = 1");
	STR_EQ(n->calculation, "1 + 1");
	STR_EQ(n->default_value, "5");
	STR_EQ(n->read_only, "true()");
	STR_EQ(n->trigger, "${x}");
	STR_EQ(n->appearance, "numbers  thousands-sep");
	OK(form_has_appearance(n, "numbers"));
	OK(form_has_appearance(n, "thousands-sep"));
	OK(!form_has_appearance(n, "thousands"));
	n = form_find(f, "x");
	STR_EQ(n->required, "false()");
	STR_EQ(n->read_only, "false()");
	STR_EQ(n->choice_filter, "a = 1");
	INT_EQ(n->nparams, 2);
	STR_EQ(form_param(n, "randomize"), "true");
	STR_EQ(form_param(n, "seed"), "${age}");
	OK(form_param(n, "value") == NULL);
	STR_EQ(f->lists[0].choices[0].extra[0].key, "a");
	STR_EQ(f->lists[0].choices[0].extra[0].value, "1");
	form_free(f);
}

static void
test_parameters_separators_and_errors(void)
{
	struct form *f;
	const struct form_node *n;

	ST_EQ(load("| survey | type | name | label | parameters |\n"
	    "| | select_one l | a | A | Randomize = true; seed=3 |\n"
	    "| | select_one l | b | B | randomize=false,seed=1 |\n"
	    "| choices | list_name | name | label |\n"
	    "| | l | x | X |\n", &f), DS_EPARSE, NULL);
	OK(has_diag("t.md:3: error: [parameters] seed needs randomize=true"));
	INT_EQ(diags.nerrors, 1);
	ST_EQ(load("| survey | type | name | label | parameters |\n"
	    "| | select_one l | a | A | Randomize = true; seed=3 |\n"
	    "| choices | list_name | name | label |\n"
	    "| | l | x | X |\n", &f), DS_OK, NULL);
	n = form_find(f, "a");
	STR_EQ(form_param(n, "randomize"), "true");
	STR_EQ(form_param(n, "seed"), "3");
	form_free(f);
	ONE_ERROR("| survey | type | name | label | parameters |\n"
	    "| | select_one l | a | A | shuffle=yes |\n"
	    "| choices | list_name | name | label |\n| | l | x | X |\n",
	    "t.md:2: error: [parameters] unknown parameter 'shuffle' "
	    "(accepted: randomize, seed)");
	ONE_ERROR("| survey | type | name | label | parameters |\n"
	    "| | text | a | A | rows |\n",
	    "t.md:2: error: [parameters] expected key=value, got 'rows'");
	ONE_ERROR("| survey | type | name | label | parameters |\n"
	    "| | text | a | A | max=3 |\n",
	    "t.md:2: error: [parameters] type 'text' takes no parameters");
}

static void
test_translations_and_default_language(void)
{
	struct form *f;
	const struct form_node *n;

	ST_EQ(load("| survey | type | name | label::中文 (zh) "
	    "| label::English (en) | hint::English (en) "
	    "| constraint_message::中文 (zh) | required_message::English (en) "
	    "| warning_message::中文 (zh) |\n"
	    "| | integer | n | 人数 | Members | count them | 不对 | needed "
	    "| 确认 |\n"
	    "| | note | m | 说明 | | | | | |\n"
	    "| choices | list_name | name | label::English (en) "
	    "| label::中文 (zh) |\n"
	    "| | l | a | Apple | 苹果 |\n"
	    "| settings | default_language |\n"
	    "| | 中文 (zh) |\n", &f), DS_OK, NULL);
	if (f == NULL)
		return;
	INT_EQ(f->nlangs, 2);
	STR_EQ(f->langs[0], "中文 (zh)");
	STR_EQ(f->langs[1], "English (en)");
	INT_EQ(f->default_lang, 0);
	n = form_find(f, "n");
	STR_EQ(form_text_get(f, &n->label, 1), "Members");
	STR_EQ(form_text_get(f, &n->label, 0), "人数");
	STR_EQ(form_text_get(f, &n->hint, 0), "count them");
	STR_EQ(form_text_get(f, &n->constraint_msg, 1), "不对");
	STR_EQ(form_text_get(f, &n->required_msg, 0), "needed");
	STR_EQ(form_text_get(f, &n->warning_msg, 1), "确认");
	n = form_find(f, "m");
	/* Falls back to the default language. */
	STR_EQ(form_text_get(f, &n->label, 1), "说明");
	OK(n->label.v[1] == NULL);
	STR_EQ(form_text_get(f, &f->lists[0].choices[0].label, 0), "苹果");
	STR_EQ(form_text_get(f, &f->lists[0].choices[0].label, 1), "Apple");
	form_free(f);
	/* Unsuffixed columns belong to default_language. */
	ST_EQ(load("| survey | type | name | label | label::English (en) |\n"
	    "| | text | a | 甲 | A |\n"
	    "| settings | default_language |\n| | 中文 (zh) |\n", &f), DS_OK,
	    NULL);
	INT_EQ(f ? f->nlangs : 0, 2);
	STR_EQ(f ? f->langs[0] : NULL, "中文 (zh)");
	form_free(f);
}

static void
test_nesting_three_deep(void)
{
	struct form *f;
	const struct form_node *n;

	ST_EQ(load("| survey | type | name | label |\n"
	    "| | begin group | g1 | G1 |\n"
	    "| | begin repeat | r2 | R2 |\n"
	    "| | begin group | g3 | G3 |\n"
	    "| | begin repeat | r4 | R4 |\n"
	    "| | integer | deep | Deep |\n"
	    "| | end repeat | | |\n"
	    "| | end group | | |\n"
	    "| | text | after3 | A |\n"
	    "| | end repeat | | |\n"
	    "| | end group | | |\n"
	    "| | text | top | T |\n", &f), DS_OK, NULL);
	if (f == NULL)
		return;
	n = form_find(f, "deep");
	INT_EQ(n->depth, 5);
	STR_EQ(n->parent->name, "r4");
	STR_EQ(n->parent->parent->parent->name, "r2");
	n = form_find(f, "after3");
	STR_EQ(n->parent->name, "r2");
	INT_EQ(n->parent->nkids, 2);
	n = form_find(f, "top");
	OK(n->parent == f->root);
	INT_EQ(f->root->nkids, 2);
	INT_EQ(f->nnodes, 8);
	form_free(f);
}

static void
test_error_unknown_and_unsupported_type(void)
{
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | txet | a | A |\n",
	    "t.md:2: error: [type] unknown question type 'txet'");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | rank | a | A |\n",
	    "t.md:2: error: [type] question type 'rank' is not supported "
	    "by doorstep; use one select_one per place (first, second, "
	    "...)");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | | a | A |\n",
	    "t.md:2: error: [type] row has no type (name 'a')");
}

static void
test_error_names(void)
{
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | begin group | g | G |\n"
	    "| | text | a | A |\n"
	    "| | text | a | A again |\n"
	    "| | end group | | |\n",
	    "t.md:4: error: [name] duplicate name 'a' (first at line 3)");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | text | 1abc | A |\n",
	    "t.md:2: error: [name] invalid name '1abc': a name starts with a "
	    "letter or '_' and holds only letters, digits, '-', '_' and '.'");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | text | a b | A |\n",
	    "t.md:2: error: [name] invalid name 'a b': a name starts with a "
	    "letter or '_' and holds only letters, digits, '-', '_' and '.'");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | text | meta | A |\n",
	    "t.md:2: error: [name] the name 'meta' is reserved");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | text | | A |\n",
	    "t.md:2: error: [name] question has no name");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | begin group | | A |\n| | end group | | |\n",
	    "t.md:2: error: [name] group has no name");
}

static void
test_error_unmatched_groups(void)
{
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | text | a | A |\n"
	    "| | end group | | |\n",
	    "t.md:3: error: [type] 'end group' without a matching "
	    "'begin group'");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | begin group | g | G |\n"
	    "| | text | a | A |\n",
	    "t.md:2: error: [type] 'begin group' 'g' is never closed "
	    "(missing 'end group')");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | begin group | g | G |\n"
	    "| | text | a | A |\n"
	    "| | end repeat | | |\n",
	    "t.md:4: error: [type] 'end repeat' closes 'begin group' 'g' "
	    "opened at line 2");
}

static void
test_error_choice_lists(void)
{
	struct form *f;

	ONE_ERROR("| survey | type | name | label |\n"
	    "| | select_one colours | a | A |\n"
	    "| choices | list_name | name | label |\n"
	    "| | colors | red | Red |\n",
	    "t.md:2: error: [type] unknown choice list 'colours'");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | select_one | a | A |\n",
	    "t.md:2: error: [type] 'select_one' needs a choice list name");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | select_one l | a | A |\n"
	    "| choices | list_name | name | label |\n"
	    "| | l | red | Red |\n"
	    "| | l | blue | Blue |\n"
	    "| | l | red | Red again |\n",
	    "t.md:6: error: [name] duplicate choice 'red' in list 'l' (first "
	    "at line 4)");
	/* allow_choice_duplicates turns it off. */
	ST_EQ(load("| survey | type | name | label |\n"
	    "| | select_one l | a | A |\n"
	    "| choices | list_name | name | label |\n"
	    "| | l | red | Red |\n"
	    "| | l | red | Red again |\n"
	    "| settings | allow_choice_duplicates |\n| | yes |\n", &f),
	    DS_OK, NULL);
	form_free(f);
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | text | a | A |\n"
	    "| choices | list | name | label |\n"
	    "| | l | red | Red |\n",
	    "t.md:3: error: [list_name] choices sheet has no 'list_name' "
	    "column");
	ONE_ERROR("| survey | type | name | label |\n"
	    "| | select_one l | a | A |\n"
	    "| choices | list_name | name | label |\n"
	    "| | l | | Red |\n"
	    "| | l | x | X |\n",
	    "t.md:4: error: [name] choice in list 'l' has no name");
}

static void
test_error_missing_columns(void)
{
	ONE_ERROR("| survey | kind | name | label |\n"
	    "| | text | a | A |\n",
	    "t.md:1: error: [type] survey sheet has no 'type' column");
	ONE_ERROR("| survey | type | label |\n"
	    "| | text | A |\n",
	    "t.md:1: error: [name] survey sheet has no 'name' column");
}

static void
test_error_settings(void)
{
	static const char body[] =
	    "| survey | type | name | label |\n"
	    "| | begin group | c | Consent |\n"
	    "| | select_one yn | ok | OK? |\n"
	    "| | select_one ab | ab | AB? |\n"
	    "| | integer | num | Num |\n"
	    "| | end group | | |\n"
	    "| | begin repeat | m | Members |\n"
	    "| | text | mname | Name |\n"
	    "| | end repeat | | |\n"
	    "| choices | list_name | name | label |\n"
	    "| | yn | yes | Yes |\n"
	    "| | yn | no | No |\n"
	    "| | ab | a | A |\n";
	char md[2048];
	struct form *f;

	snprintf(md, sizeof(md), "%s| settings | household_key | consent |\n"
	    "| | num | ok |\n", body);
	ST_EQ(load(md, &f), DS_OK, NULL);
	STR_EQ(f ? f->household_key : NULL, "num");
	STR_EQ(f ? f->consent : NULL, "ok");
	form_free(f);
	snprintf(md, sizeof(md), "%s| settings | household_key |\n"
	    "| | hhid |\n", body);
	ONE_ERROR(md, "t.md:15: error: [household_key] unknown question "
	    "'hhid'");
	snprintf(md, sizeof(md), "%s| settings | household_key |\n"
	    "| | mname |\n", body);
	ONE_ERROR(md, "t.md:15: error: [household_key] 'mname' is inside a "
	    "repeat; the household key must be answered once");
	snprintf(md, sizeof(md), "%s| settings | consent |\n| | agree |\n",
	    body);
	ONE_ERROR(md, "t.md:15: error: [consent] unknown question 'agree'");
	snprintf(md, sizeof(md), "%s| settings | consent |\n| | num |\n",
	    body);
	ONE_ERROR(md, "t.md:15: error: [consent] consent question 'num' "
	    "must be a select_one (it is integer)");
	snprintf(md, sizeof(md), "%s| settings | consent |\n| | ab |\n",
	    body);
	ONE_ERROR(md, "t.md:15: error: [consent] list 'ab' of consent "
	    "question 'ab' has no choice 'yes'");
}

static void
test_error_limits(void)
{
	char *md, *p;
	size_t i;
	struct form *f;

	/* Expression length. */
	md = malloc(XLS_MAX_EXPR + 200);
	p = md + sprintf(md, "| survey | type | name | label | relevant |\n"
	    "| | text | a | A | ");
	for (i = 0; i < XLS_MAX_EXPR + 1; i++)
		*p++ = '1';
	strcpy(p, " |\n");
	ONE_ERROR(md, "t.md:2: error: [relevant] expression too long (4097 "
	    "bytes, limit 4096)");
	free(md);
	/* Nesting depth. */
	md = malloc(64 * 40 + 100);
	p = md + sprintf(md, "| survey | type | name | label |\n");
	for (i = 0; i < XLS_MAX_DEPTH + 1; i++)
		p += sprintf(p, "| | begin group | g%zu | G |\n", i);
	ST_EQ(load(md, &f), DS_ELIMIT, NULL);
	OK(has_diag("t.md:34: error: [type] groups nested too deep (limit "
	    "32)"));
	free(md);
}

static void
test_error_row_and_language_limits(void)
{
	struct ds_buf b;
	struct form *f;
	size_t i;

	ds_buf_init(&b, 8u << 20);
	ds_buf_adds(&b, "| survey | type | name |\n");
	for (i = 0; i < XLS_MAX_ROWS; i++)
		ds_buf_printf(&b, "| | text | q%zu |\n", i);
	ST_EQ(load(b.p, &f), DS_EPARSE, NULL);
	OK(has_diag("t.md:100001: error: too many rows in sheet 'survey' "
	    "(limit 100000)"));
	ds_buf_reset(&b);
	ds_buf_adds(&b, "| survey | type | name ");
	for (i = 0; i <= XLS_MAX_LANGS; i++)
		ds_buf_printf(&b, "| label::L%zu ", i);
	ds_buf_adds(&b, "|\n| | text | a |\n");
	ST_EQ(load(b.p, &f), DS_ELIMIT, NULL);
	OK(has_diag("t.md:1: error: too many languages (limit 32)"));
	ds_buf_reset(&b);
}

static void
test_load_file_sniffs_content(void)
{
	const char *dir = ts_tmpdir("sniff");
	char path[512];
	struct form *f = NULL;
	static const char md[] = "| survey | type | name | label |\n"
	    "| | text | a | A |\n";

	snprintf(path, sizeof(path), "%s/form.txt", dir);
	OK(ds_file_write_atomic(path, md, strlen(md), 0600, NULL) == DS_OK);
	form_diags_reset(&diags);
	ST_EQ(form_load_file(path, &f, &diags), DS_OK, NULL);
	STR_EQ(f ? f->id : NULL, "form");
	form_free(f);
	f = NULL;
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	OK(ds_file_write_atomic(path, "just | text", 11, 0600, NULL) ==
	    DS_OK);
	ST_EQ(form_load_file(path, &f, &diags), DS_EPARSE, NULL);
	OK(f == NULL && diags.nerrors == 1);
	form_diags_reset(&diags);
}

static void
test_errors_are_all_collected(void)
{
	struct form *f;

	ST_EQ(load("| survey | type | name | label |\n"
	    "| | txet | a | A |\n"
	    "| | text | 9 | B |\n"
	    "| | select_one nolist | c | C |\n"
	    "| | end repeat | | |\n"
	    "| | text | d | D |\n"
	    "| | text | d | D |\n", &f), DS_EPARSE, NULL);
	INT_EQ(diags.nerrors, 5);
	OK(has_diag("t.md:2: error: [type] unknown question type 'txet'"));
	OK(has_diag("t.md:4: error: [type] unknown choice list 'nolist'"));
	OK(has_diag("t.md:5: error: [type] 'end repeat' without a matching "
	    "'begin repeat'"));
	OK(has_diag("t.md:7: error: [name] duplicate name 'd' (first at "
	    "line 6)"));
}

/* Regression (fuzz): data rows wider than the header. */
static void
test_cells_beyond_header_ignored(void)
{
	struct form *f;

	ST_EQ(load("| survey | type | name | label |\n"
	    "| | select_one l | a | A | stray | more |\n"
	    "| choices | list_name | name |\n"
	    "| | l | x | X | Y |\n", &f), DS_OK, NULL);
	OK(f != NULL && f->lists[0].choices[0].nextra == 0);
	form_free(f);
}

/* The remaining error and warning kinds, one form each, exact message. */
static void
test_more_diagnostics(void)
{
	static const struct {
		const char	*md;
		enum ds_status	 rc;
		const char	*want;
	} cases[] = {
		{ "| survey | type | name | label | Label |\n| | text | a | A "
		    "| B |\n", DS_EPARSE,
		  "t.md:1: error: [Label] duplicate column (same as 'label')" },
		{ "| survey | type | name | label |\n| | text | a | A |\n"
		    "| choices | list_name | name | label |\n| | | x | X |\n",
		  DS_EPARSE, "t.md:4: error: [list_name] choice 'x' has no list "
		  "name: fill in the list_name column, or delete the row" },
		{ "| survey | type | name | label |\n| | csv-external | | |\n"
		    "| | text | a | A |\n", DS_EPARSE,
		  "t.md:2: error: [name] csv-external needs the file name "
		  "(without .csv) in the name column" },
		{ "| survey | type | name | label |\n"
		    "| | select_one l extra words | a | A |\n"
		    "| choices | list_name | name | label |\n| | l | x | X |\n",
		  DS_EPARSE, "t.md:2: error: [type] unexpected words after "
		  "the list name in 'select_one l extra words'" },
		{ "| survey | type | name | label |\n"
		    "| | select_one_from_file v.csv or_other | a | A |\n",
		  DS_EPARSE, "t.md:2: error: [type] or_other cannot be used "
		  "with select_one_from_file" },
		{ "| survey | type | name | label |\n| | text | a | A |\n"
		    "| settings | version | Version |\n| | 1 | 2 |\n",
		  DS_EPARSE, "t.md:3: error: [Version] duplicate settings "
		  "column" },
		{ "| survey | type | name | label | label:: |\n"
		    "| | text | a | A | B |\n",
		  DS_EPARSE, "t.md:1: error: [label::] empty language name "
		  "after '::'" },
		{ "| survey | type | name | label |\n| | end group | | |\n",
		  DS_EPARSE, "t.md:2: error: [type] 'end group' without a "
		  "matching 'begin group'" },
		{ "| survey | type | name |\n", DS_EPARSE,
		  "t.md:1: error: survey has no questions" },
		{ "| survey | type | name | label |\n| | text | a | A |\n"
		    "| entities | list_name |\n| | x |\n", DS_OK,
		  "t.md:3: warning: sheet 'entities' is not supported by "
		  "doorstep and is ignored" },
		{ "| survey | type | name | label | relevant::fr |\n"
		    "| | text | a | A | 1 |\n", DS_OK,
		  "t.md:1: warning: [relevant::fr] column 'relevant' cannot "
		  "be translated; ignored" },
		{ "| survey | type | name | label::English (en) |\n"
		    "| | text | a | A |\n"
		    "| settings | default_language |\n| | French (fr) |\n",
		  DS_OK, "t.md:4: warning: [default_language] no column is "
		  "in language 'French (fr)'" },
		{ "| survey | type | name | label |\n| | text | a | A |\n"
		    "| settings | version |\n| | 1 |\n| | 2 |\n", DS_OK,
		  "t.md:5: warning: settings sheet has more than one row; "
		  "only the first is used" },
		{ "| survey | type | name | label | repeat_count |\n"
		    "| | text | a | A | 3 |\n", DS_OK,
		  "t.md:2: warning: [repeat_count] repeat_count only applies "
		  "to repeats; ignored" },
		{ "| survey | type | name | label |\n| | select_one l | a | A "
		    "|\n| choices | list_name | name |\n| | l | x |\n", DS_OK,
		  "t.md:4: warning: [label] choice 'x' in list 'l' has no "
		  "label" },
	};
	struct form *f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ST_EQ(load(cases[i].md, &f), cases[i].rc, NULL);
		form_free(f);
		if (diags.n != 1 || strcmp(diagbuf[0], cases[i].want) != 0)
			HARNESS_FAIL("case %zu: %zu diagnostics, first \"%s\", "
			    "want \"%s\"", i, diags.n, diagbuf[0],
			    cases[i].want);
	}
}

static void
test_warnings(void)
{
	struct form *f;

	ST_EQ(load("| survey | type | name | label | colour |\n"
	    "| | text | a | | red |\n"
	    "| | calculate | b | | |\n", &f), DS_OK, NULL);
	INT_EQ(diags.n, 2);
	OK(has_diag("t.md:1: warning: [colour] unknown column is ignored"));
	OK(has_diag("t.md:2: warning: [label] question 'a' has no label"));
	form_free(f);
}

static const char villages_csv[] =
    "name,label,label::English (en),township\r\n"
    "v1,一村,Village 1,t1\r\n"
    "v2,二村,\"Village 2, east\",t1\r\n"
    "v3,三村,,t2\r\n";

static void
test_select_from_file(void)
{
	struct files fs = { { "villages.csv", "codes.csv" },
	    { villages_csv, "code,title\nA,Alpha\nB,Beta\n" } };
	struct form *f;
	const struct form_node *n;
	const struct form_list *l;

	ST_EQ(load_with("| survey | type | name | label::中文 (zh) "
	    "| label::English (en) | choice_filter | parameters |\n"
	    "| | select_one_from_file villages.csv | v | 村 | Village "
	    "| township='t1' | |\n"
	    "| | select_multiple_from_file codes.csv | c | 码 | Code | "
	    "| value=code label=title |\n"
	    "| | select one from file villages.csv | v2 | 村 | Village "
	    "| | |\n"
	    "| settings | default_language |\n| | 中文 (zh) |\n", &fs, &f),
	    DS_OK, NULL);
	if (f == NULL)
		return;
	INT_EQ(f->nlists, 2);
	n = form_find(f, "v");
	OK(n->from_file && n->type == FT_SELECT_ONE && n->list == 0);
	OK(form_find(f, "v2")->list == 0);
	l = &f->lists[0];
	STR_EQ(l->name, "villages.csv");
	STR_EQ(l->file, "villages.csv");
	INT_EQ(l->nchoices, 3);
	STR_EQ(l->choices[1].name, "v2");
	INT_EQ(l->choices[1].line, 3);
	STR_EQ(form_text_get(f, &l->choices[1].label, 0), "二村");
	STR_EQ(form_text_get(f, &l->choices[1].label, 1), "Village 2, east");
	STR_EQ(form_text_get(f, &l->choices[2].label, 1), "三村");
	INT_EQ(l->choices[0].nextra, 1);
	STR_EQ(l->choices[0].extra[0].key, "township");
	STR_EQ(l->choices[0].extra[0].value, "t1");
	INT_EQ(form_list_find(f, "villages"), 0);
	INT_EQ(form_list_find(f, "villages.csv"), 0);
	n = form_find(f, "c");
	OK(n->type == FT_SELECT_MULTIPLE && n->list == 1);
	l = &f->lists[1];
	STR_EQ(l->name, "codes.csv?value=code&label=title");
	STR_EQ(l->choices[1].name, "B");
	STR_EQ(form_text_get(f, &l->choices[1].label, 0), "Beta");
	form_free(f);
}

static void
test_select_from_file_errors(void)
{
	struct files fs = { { "v.csv", "bad.csv" },
	    { "code,label\n1,One\n", "name,label\n\"open\n" } };
	struct form *f;

	ST_EQ(load_with("| survey | type | name | label |\n"
	    "| | select_one_from_file missing.csv | a | A |\n"
	    "| | select_one_from_file v.csv | b | B |\n"
	    "| | select_one_from_file v.xml | c | C |\n"
	    "| | select_one_from_file bad.csv | d | D |\n"
	    "| | select_one_from_file ../v.csv | e | E |\n", &fs, &f),
	    DS_EPARSE, NULL);
	INT_EQ(diags.nerrors, 5);
	OK(has_diag("t.md:2: error: [type] missing.csv not found next to "
	    "the form"));
	OK(has_diag("t.md:3: error: [type] v.csv has no column 'name'"));
	OK(has_diag("t.md:4: error: [type] 'v.xml': only .csv files are "
	    "supported"));
	OK(has_diag("bad.csv:2: error: line 2: quoted field is never "
	    "closed"));
	OK(has_diag("t.md:6: error: [type] '../v.csv' is not a plain file "
	    "name"));
}

static void
test_lookup_csvs_loaded(void)
{
	struct files fs = { { "lines.csv", "ext.csv" },
	    { "key,line\nanhui-2024,9100\n", "k,v\n1,one\n" } };
	struct form *f;
	int li;

	ST_EQ(load_with("| survey | type | name | label | calculation |\n"
	    "| | calculate | l | | pulldata('lines', 'line', 'key', "
	    "'anhui-2024') |\n"
	    "| | calculate | m | | instance(\"nothere\")/root/item |\n"
	    "| | csv-external | ext | | |\n", &fs, &f), DS_OK, NULL);
	if (f == NULL)
		return;
	INT_EQ(f->nlists, 2);
	li = form_list_find(f, "lines");
	OK(li >= 0);
	if (li >= 0) {
		STR_EQ(f->lists[li].file, "lines.csv");
		STR_EQ(f->lists[li].choices[0].name, "anhui-2024");
		STR_EQ(f->lists[li].choices[0].extra[0].key, "line");
		STR_EQ(f->lists[li].choices[0].extra[0].value, "9100");
	}
	OK(form_list_find(f, "ext") >= 0);
	OK(form_find(f, "ext") == NULL);
	INT_EQ(f->nnodes, 3);
	form_free(f);
}

static void
test_diag_format(void)
{
	char file[] = "f.md", col[] = "relevant", msg[] = "bad";
	struct form_diag g = { file, 12, col, 1, msg, FD_NONE,
	    { NULL, NULL } };
	char buf[128];

	form_diag_format(&g, buf, sizeof(buf));
	STR_EQ(buf, "f.md:12: error: [relevant] bad");
	g.line = 0;
	g.column = NULL;
	g.is_error = 0;
	form_diag_format(&g, buf, sizeof(buf));
	STR_EQ(buf, "f.md: warning: bad");
}

static void
test_load_file_reads_siblings(void)
{
	const char *dir = ts_tmpdir("xls");
	char path[512], csvp[512];
	struct form *f = NULL;
	static const char md[] = "| survey | type | name | label |\n"
	    "| | select_one_from_file villages.csv | v | V |\n";

	snprintf(path, sizeof(path), "%s/hh-form.md", dir);
	snprintf(csvp, sizeof(csvp), "%s/villages.csv", dir);
	OK(ds_file_write_atomic(path, md, strlen(md), 0600, NULL) == DS_OK);
	OK(ds_file_write_atomic(csvp, villages_csv, strlen(villages_csv),
	    0600, NULL) == DS_OK);
	form_diags_reset(&diags);
	ST_EQ(form_load_file(path, &f, &diags), DS_OK, NULL);
	STR_EQ(f ? f->id : NULL, "hh-form");
	INT_EQ(f ? f->lists[0].nchoices : 0, 3);
	form_free(f);
	f = NULL;
	snprintf(path, sizeof(path), "%s/none.md", dir);
	ST_EQ(form_load_file(path, &f, &diags), DS_ENOENT, NULL);
	INT_EQ(diags.nerrors, 1);
	form_diags_reset(&diags);
}

static void
test_fixture_files_load(void)
{
	char path[512];
	struct form *f = NULL;
	const char *top = getenv("DS_TOP");

	snprintf(path, sizeof(path), "%s/tests/forms/loader/basic.md",
	    top ? top : ".");
	form_diags_reset(&diags);
	ST_EQ(form_load_file(path, &f, &diags), DS_OK, NULL);
	INT_EQ(diags.n, 0);
	OK(f != NULL && form_find(f, "village") != NULL);
	form_free(f);
	form_diags_reset(&diags);
}

/* Every allocation failure gives DS_ENOMEM and leaks nothing (ASan). */
/*
 * What a return visit starts from: the marked answers, but never a file's
 * name (the file stays with the visit that took it); a correction starts
 * from every answer, names included (fetch_visit.c copies the files).
 */
static void
test_carry_leaves_files(void)
{
	struct form *f = NULL;
	json_t *ans, *c;

	ST_EQ(load("| survey | type | name | label | carry |\n"
	    "| | text | head | Head | yes |\n"
	    "| | image | letter | Letter | yes |\n"
	    "| | begin repeat | m | Member | yes |\n"
	    "| | text | n | Name | |\n"
	    "| | photo | card | Card | |\n"
	    "| | end repeat | | | |\n", &f), DS_OK, NULL);
	if (f == NULL)
		return;
	ans = json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "head", "Li",
	    "letter", "1.jpg", "m", "n", "Mei", "card", "2.png");
	c = form_carry_filter(f, ans);
	OK(c != NULL && json_object_get(c, "head") != NULL);
	OK(c != NULL && json_object_get(c, "letter") == NULL);
	OK(c != NULL && json_object_get(json_array_get(json_object_get(c,
	    "m"), 0), "n") != NULL);
	OK(c != NULL && json_object_get(json_array_get(json_object_get(c,
	    "m"), 0), "card") == NULL);
	json_decref(c);
	c = form_answers_only(f, ans);
	OK(c != NULL && json_object_get(c, "letter") != NULL);
	OK(c != NULL && json_object_get(json_array_get(json_object_get(c,
	    "m"), 0), "card") != NULL);
	json_decref(c);
	json_decref(ans);
	form_free(f);
}

static void
test_alloc_failures_are_clean(void)
{
	struct files fs = { { "villages.csv" }, { villages_csv } };
	struct form *f;
	enum ds_status rc;
	long n;
	static const char md[] =
	    "| survey | type | name | label::English (en) | label::中文 (zh) "
	    "| relevant | parameters |\n"
	    "| | begin group | g | G | 组 | | |\n"
	    "| | select_one l | a | A | 甲 | | randomize=true |\n"
	    "| | select_one_from_file villages.csv | v | V | 村 | ${a}='x' "
	    "| |\n"
	    "| | end group | | | | | |\n"
	    "| choices | list_name | name | label::English (en) | extra |\n"
	    "| | l | x | X | 1 |\n"
	    "| | l | y | Y | 2 |\n"
	    "| settings | form_id | household_key |\n| | f | a |\n";

	for (n = 1; n < 5000; n++) {
		ds_fault_arm(DS_FAULT_ALLOC, n, 0);
		rc = load_with(md, &fs, &f);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (rc == DS_OK) {
			OK(form_find(f, "v") != NULL);
			form_free(f);
			break;
		}
		if (rc != DS_ENOMEM)
			HARNESS_FAIL("fault %ld: status %s", n,
			    ds_status_name(rc));
		OK(f == NULL);
	}
	OK(n > 20 && n < 5000);
	form_diags_reset(&diags);
}

int
main(void)
{
	form_diags_init(&diags);
	RUN(test_canonical_layout);
	RUN(test_header_on_sheet_line_prose_and_escapes);
	RUN(test_spaced_separator_rejected);
	RUN(test_bom_nul_and_bad_utf8_rejected);
	RUN(test_sheet_rules);
	RUN(test_every_type_and_alias);
	RUN(test_columns_and_aliases);
	RUN(test_parameters_separators_and_errors);
	RUN(test_translations_and_default_language);
	RUN(test_nesting_three_deep);
	RUN(test_error_unknown_and_unsupported_type);
	RUN(test_error_names);
	RUN(test_error_unmatched_groups);
	RUN(test_error_choice_lists);
	RUN(test_error_missing_columns);
	RUN(test_error_settings);
	RUN(test_error_limits);
	RUN(test_error_row_and_language_limits);
	RUN(test_load_file_sniffs_content);
	RUN(test_errors_are_all_collected);
	RUN(test_cells_beyond_header_ignored);
	RUN(test_more_diagnostics);
	RUN(test_warnings);
	RUN(test_select_from_file);
	RUN(test_select_from_file_errors);
	RUN(test_lookup_csvs_loaded);
	RUN(test_diag_format);
	RUN(test_load_file_reads_siblings);
	RUN(test_fixture_files_load);
	RUN(test_carry_leaves_files);
	RUN(test_alloc_failures_are_clean);
	form_diags_reset(&diags);
	return harness_done();
}
