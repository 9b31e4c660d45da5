/* doorstep: `doorstep expr`, the form author's calculator. */
/*
 * Evaluate one ODK expression and print its string value the way ODK
 * Collect converts it (5 not 5.0, true/false, YYYY-MM-DD).  Data for paths
 * and ${name} come from a JSON file (expr_json.h); the context node from
 * --context.  With --form, the form supplies what the data leaves out:
 * bind types, every question (empty), its choice lists as secondary
 * instances and choice labels for jr:choice-name.  Parse errors show the
 * expression with a caret under the offending character.  Exit 0 with the
 * value, 1 on an error, 64 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "expr.h"
#include "expr_json.h"
#include "form.h"
#include "i18n.h"
#include "i18n_diag.h"
#include "json.h"
#include "mem.h"
#include "util.h"
#include "val.h"
#include "xls.h"

static int	expr_exec(const struct cli *, int, char **);

const struct cmd_entry cmd_expr_entry = {
	"expr",
	"[--form FILE] [--data FILE.json] [--context PATH] [--store] 'EXPR'",
	N_("evaluate an ODK expression and print its value"),
	expr_exec,
	N_("Options:\n"
	    "  'EXPR'\n"
	    "      the expression, quoted for the shell\n"
	    "  --form FILE\n"
	    "      take types, questions and choice lists from this form\n"
	    "  --data FILE.json\n"
	    "      answers for paths and ${name}\n"
	    "  --context PATH\n"
	    "      the node that \".\" means\n"
	    "  --store\n"
	    "      print the value as it would be stored\n"
	    "\n"
	    "Example:\n"
	    "  doorstep expr --form forms/household.md \"today() - 30\"\n")
};

/* "... at character N": print the source with a caret under N. */
static void
show_caret(const char *src, const char *msg)
{
	const char *p = strstr(msg, " at character ");
	long n;
	size_t i;

	if (p == NULL || strchr(src, '\n') != NULL)
		return;
	n = strtol(p + 14, NULL, 10);
	fprintf(stderr, "  %s\n  ", src);
	for (i = 0; i < (size_t)n; i++)
		fputc(' ', stderr);
	fputs("^\n", stderr);
}

/* Set key in obj unless it is there; takes the reference to v. */
static int
put_new(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return -1;
	if (json_object_get(obj, key) != NULL) {
		json_decref(v);
		return 0;
	}
	return json_object_set_new(obj, key, v);
}

static json_t *
obj_child(json_t *obj, const char *key, int array)
{
	json_t *c = json_object_get(obj, key);

	if (c == NULL && put_new(obj, key, array ? json_array() :
	    json_object()) == 0)
		c = json_object_get(obj, key);
	return c;
}

/*
 * Build the tree for group or repeat instance g from `ans`, answers in
 * `doorstep fill`'s shape: keyed by question name whatever the group, a
 * repeat an array of such objects.  Unanswered questions are "".
 */
static int
shape(const struct form_node *g, json_t *ans, json_t *obj)
{
	const struct form_node *k;
	json_t *c, *v, *arr;
	size_t i, j;

	for (i = 0; i < g->nkids; i++) {
		k = g->kids[i];
		v = json_is_object(ans) ? json_object_get(ans, k->name) : NULL;
		if (k->type == FT_GROUP) {
			if ((c = json_object()) == NULL ||
			    json_object_set_new(obj, k->name, c) != 0 ||
			    shape(k, ans, c) != 0)
				return -1;
		} else if (k->type == FT_REPEAT) {
			if ((arr = json_array()) == NULL ||
			    json_object_set_new(obj, k->name, arr) != 0)
				return -1;
			for (j = 0; json_is_array(v) && j < json_array_size(v);
			    j++) {
				if ((c = json_object()) == NULL ||
				    json_array_append_new(arr, c) != 0 ||
				    shape(k, json_array_get(v, j), c) != 0)
					return -1;
			}
		} else if (json_is_array(v)) {
			/* select_multiple: an array of choice names */
			struct ds_buf b;
			char *t;

			ds_buf_init(&b, 1 << 20);
			for (j = 0; j < json_array_size(v); j++)
				if (json_is_string(json_array_get(v, j)) &&
				    ((j > 0 && ds_buf_addc(&b, ' ') != DS_OK) ||
				    ds_buf_adds(&b, json_string_value(
				    json_array_get(v, j))) != DS_OK)) {
					ds_buf_reset(&b);
					return -1;
				}
			if ((t = ds_buf_take(&b, NULL)) == NULL)
				return -1;
			c = json_string(t);
			ds_free(t);
			if (c == NULL || json_object_set_new(obj, k->name, c) !=
			    0)
				return -1;
		} else if (json_object_set_new(obj, k->name, v != NULL ?
		    json_incref(v) : json_string("")) != 0)
			return -1;
	}
	return 0;
}

static const char *
type_name(enum form_type t)
{
	switch (t) {
	case FT_INTEGER:
	case FT_DECIMAL:
		return "decimal";
	case FT_DATE:
	case FT_TODAY:
		return "date";
	case FT_DATETIME:
	case FT_START:
	case FT_END:
		return "dateTime";
	default:
		return NULL;
	}
}

/* Merge what the form knows into the data (the data wins). */
static int
form_merge(const struct form *f, json_t *root)
{
	json_t *types, *insts, *choices, *names, *items, *it, *labels;
	const struct form_list *l;
	const struct form_node *n;
	const char *lab, *dot;
	char stem[256];
	size_t i, k, x;

	if ((types = obj_child(root, "_types", 0)) == NULL ||
	    (insts = obj_child(root, "_instances", 0)) == NULL ||
	    (choices = obj_child(root, "_choices", 0)) == NULL ||
	    (names = obj_child(root, "_names", 1)) == NULL)
		return -1;
	for (i = 0; i < f->nnodes; i++) {
		n = f->nodes[i];
		if (n->name == NULL)
			continue;
		if (json_array_append_new(names, json_string(n->name)) != 0)
			return -1;
		if (type_name(n->type) != NULL && put_new(types, n->name,
		    json_string(type_name(n->type))) != 0)
			return -1;
		if (n->list < 0)
			continue;
		l = &f->lists[n->list];
		if ((labels = json_object()) == NULL)
			return -1;
		for (k = 0; k < l->nchoices; k++) {
			lab = form_text_get(f, &l->choices[k].label,
			    f->default_lang);
			if (json_object_set_new(labels, l->choices[k].name,
			    json_string(lab != NULL ? lab : "")) != 0) {
				json_decref(labels);
				return -1;
			}
		}
		if (put_new(choices, n->name, labels) != 0)
			return -1;
	}
	for (i = 0; i < f->nlists; i++) {
		l = &f->lists[i];
		if ((items = json_array()) == NULL)
			return -1;
		for (k = 0; k < l->nchoices; k++) {
			lab = form_text_get(f, &l->choices[k].label,
			    f->default_lang);
			it = json_pack("{s:s, s:s}", "name", l->choices[k].name,
			    "label", lab != NULL ? lab : "");
			for (x = 0; it != NULL && x < l->choices[k].nextra;
			    x++)
				json_object_set_new(it,
				    l->choices[k].extra[x].key, json_string(
				    l->choices[k].extra[x].value != NULL ?
				    l->choices[k].extra[x].value : ""));
			if (it == NULL || json_array_append_new(items, it) !=
			    0) {
				json_decref(items);
				return -1;
			}
		}
		/* a CSV list is also known by its stem (instance('villages')) */
		if ((dot = strrchr(l->name, '.')) != NULL &&
		    (size_t)(dot - l->name) < sizeof(stem)) {
			snprintf(stem, sizeof(stem), "%.*s",
			    (int)(dot - l->name), l->name);
			json_incref(items);
			if (put_new(insts, stem, items) != 0) {
				json_decref(items);
				return -1;
			}
		}
		if (put_new(insts, l->name, items) != 0)
			return -1;
	}
	return 0;
}

/* Copy the reserved keys (_types, _instances, ...) of the answers. */
static int
copy_reserved(json_t *from, json_t *to)
{
	const char *key;
	json_t *v;

	json_object_foreach(from, key, v)
		if (key[0] == '_' && json_object_set(to, key, v) != 0)
			return -1;
	return 0;
}

/* Load the form and fold it into the JSON text; new text in *text. */
static int
with_form(const struct cli *cli, const char *path, char **text, size_t *len)
{
	struct form_diags diags;
	struct form *f = NULL;
	struct ds_err err;
	json_t *root = NULL, *tree = NULL;
	char line[1024], *out = NULL;
	size_t i, olen;
	int rc = -1;

	form_diags_init(&diags);
	if (form_load_file(path, &f, &diags) != DS_OK) {
		for (i = 0; i < diags.n; i++) {
			i18n_form_diag(&diags.v[i], line, sizeof(line));
			fprintf(stderr, "%s\n", line);
		}
		fprintf(stderr, "%s expr: cannot load form %s\n",
		    cli->progname, path);
		goto out;
	}
	if (ds_json_parse(*text, *len, 16u << 20, "data", &root, &err) !=
	    DS_OK || !json_is_object(root)) {
		fprintf(stderr, "%s expr: %s\n", cli->progname,
		    root == NULL ? err.msg : "data: the top level must be a "
		    "JSON object");
		goto out;
	}
	if ((tree = json_object()) == NULL || shape(f->root, root, tree) != 0 ||
	    copy_reserved(root, tree) != 0 ||
	    form_merge(f, tree) != 0 ||
	    ds_json_canonical(tree, &out, &olen, &err) != DS_OK) {
		fprintf(stderr, "%s expr: out of memory\n", cli->progname);
		goto out;
	}
	ds_free(*text);
	*text = out;
	*len = olen;
	rc = 0;
out:
	if (root != NULL)
		json_decref(root);
	if (tree != NULL)
		json_decref(tree);
	form_free(f);
	form_diags_reset(&diags);
	return rc;
}

static int
expr_exec(const struct cli *cli, int argc, char **argv)
{
	const char *data = NULL, *context = NULL, *src = NULL, *form = NULL;
	struct expr_jdoc *doc = NULL;
	struct expr *e = NULL;
	struct expr_env env;
	struct ds_err err;
	struct val v;
	char *text = NULL, *out = NULL;
	size_t len, olen;
	int i, store = 0, rc = CMD_EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--form") == 0 && i + 1 < argc)
			form = argv[++i];
		else if (strcmp(argv[i], "--context") == 0 && i + 1 < argc)
			context = argv[++i];
		else if (strcmp(argv[i], "--store") == 0)
			store = 1;
		else if (strcmp(argv[i], "--") == 0 && i + 2 == argc)
			src = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return cmd_usage(cli, &cmd_expr_entry);
		else if (src == NULL)
			src = argv[i];
		else
			return cmd_usage(cli, &cmd_expr_entry);
	}
	if (src == NULL)
		return cmd_usage(cli, &cmd_expr_entry);

	ds_err_clear(&err);
	val_init(&v);
	if (expr_parse(src, strlen(src), &e, &err) != DS_OK) {
		fprintf(stderr, "%s expr: %s\n", cli->progname, err.msg);
		show_caret(src, err.msg);
		goto out;
	}
	if (data != NULL) {
		if (ds_file_read(data, 16u << 20, &text, &len, &err) != DS_OK) {
			fprintf(stderr, "%s expr: %s\n", cli->progname,
			    err.msg);
			goto out;
		}
	} else {
		if ((text = ds_strdup("{}")) == NULL)
			goto nomem;
		len = 2;
	}
	ds_json_init();
	if (form != NULL && with_form(cli, form, &text, &len) != 0)
		goto out;
	if (expr_jdoc_new(text, len, &doc, &err) != DS_OK ||
	    expr_jdoc_env(doc, context, 1, &env, &err) != DS_OK) {
		fprintf(stderr, "%s expr: %s%s%s\n", cli->progname,
		    data != NULL ? data : "", data != NULL ? ": " : "",
		    err.msg);
		goto out;
	}
	if (expr_eval(e, &env, &v, &err) != DS_OK) {
		fprintf(stderr, "%s expr: %s\n", cli->progname, err.msg);
		show_caret(src, err.msg);
		goto out;
	}
	if (val_to_string(&v, store ? VAL_FMT_STORE : 0, &out, &olen) !=
	    DS_OK)
		goto nomem;
	fwrite(out, 1, olen, stdout);
	fputc('\n', stdout);
	rc = fflush(stdout) == 0 ? CMD_EXIT_OK : CMD_EXIT_FAIL;
	goto out;
nomem:
	fprintf(stderr, "%s expr: out of memory\n", cli->progname);
out:
	ds_free(out);
	val_reset(&v);
	expr_free(e);
	expr_jdoc_free(doc);
	ds_free(text);
	return rc;
}
