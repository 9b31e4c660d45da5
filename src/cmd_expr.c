/* doorstep: `doorstep expr`, the form author's calculator. */
/*
 * Evaluate one ODK expression and print its string value the way ODK
 * Collect converts it (5 not 5.0, true/false, YYYY-MM-DD).  Data for paths
 * and ${name} come from a JSON file (expr_json.h); the context node from
 * --context.  Parse errors show the expression with a caret under the
 * offending character.  Exit 0 with the value, 1 on an error, 64 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "expr.h"
#include "expr_json.h"
#include "mem.h"
#include "util.h"
#include "val.h"

static int	expr_exec(const struct cli *, int, char **);

const struct cmd_entry cmd_expr_entry = {
	"expr",
	"[--data FILE.json] [--context PATH] [--store] 'EXPR'",
	"evaluate an ODK expression and print its value",
	expr_exec
};

/* "... at character N": print the source with a caret under N. */
static void
show_caret(const char *src, const char *msg)
{
	const char *p = strstr(msg, " at character ");
	long n;
	size_t i, c = 0;

	if (p == NULL || strchr(src, '\n') != NULL)
		return;
	n = strtol(p + 14, NULL, 10);
	fprintf(stderr, "  %s\n  ", src);
	for (i = 0; src[i] != '\0' && (long)c < n; i++)
		if (((unsigned char)src[i] & 0xc0) != 0x80)
			c++;
	for (i = 0; i < (size_t)n; i++)
		fputc(' ', stderr);
	fputs("^\n", stderr);
}

static int
expr_exec(const struct cli *cli, int argc, char **argv)
{
	const char *data = NULL, *context = NULL, *src = NULL;
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
