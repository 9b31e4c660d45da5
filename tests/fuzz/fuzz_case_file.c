/* doorstep: fuzz the reader of the office's input lists (CSV, XLSX). */
/*
 * Register, department warning, step and income lists come from outside
 * the office and are untrusted.  The first byte picks the format (odd:
 * XLSX) and the field list; the rest is the file.  Invariants: no crash
 * or leak; on success every row has exactly the fields asked for, each
 * a NUL-terminated UTF-8 string within CASE_FILE_MAX_CELL bytes, rows are
 * at most CASE_FILE_MAX_ROWS with increasing line numbers; on failure the
 * reason is one of the codes and *out stays NULL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "case_db.h"
#include "case_file.h"
#include "json.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const struct case_field	*f;
		size_t			 n;
	} lists[4] = {
		{ case_register_fields, CASE_REGISTER_NFIELDS },
		{ case_clue_fields, CASE_CLUE_NFIELDS },
		{ case_step_fields, CASE_STEP_NFIELDS },
		{ case_income_fields, CASE_INCOME_NFIELDS },
	};
	struct case_table *t = NULL;
	struct case_file_why why;
	struct ds_err err;
	size_t r, f, which;
	const char *c;
	int xlsx;

	if (size < 1 || size > (1u << 20))
		return 0;
	ds_json_init();
	xlsx = data[0] & 1;
	which = (data[0] >> 1) % 4;
	if (case_file_parse(data + 1, size - 1, xlsx, lists[which].f,
	    lists[which].n, &t, &why, &err) != DS_OK) {
		if (t != NULL || why.code <= CASE_F_OK || why.code > CASE_F_CELL)
			abort();
		return 0;
	}
	if (t == NULL || t->nfields != lists[which].n ||
	    t->nrows > CASE_FILE_MAX_ROWS)
		abort();
	for (r = 0; r < t->nrows; r++) {
		if (r > 0 && t->line[r] <= t->line[r - 1])
			abort();
		for (f = 0; f < t->nfields; f++) {
			c = case_table_cell(t, r, f);
			if (strlen(c) > CASE_FILE_MAX_CELL ||
			    !utf8_valid(c, strlen(c), 0))
				abort();
		}
	}
	case_table_free(t);
	return 0;
}
