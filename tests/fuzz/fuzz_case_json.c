/* doorstep: fuzz the case's answers reader against jansson. */
/*
 * case_ans_scan reads each imported revision's answers without a tree.
 * Invariants: no crash or leak on any bytes; every field NUL-terminated
 * within its size; and where jansson parses the text as an object, every
 * top-level string the scanner reads equals jansson's value (when it
 * fits whole), and member counts agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "case_json.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
same(const json_t *o, const char *k, const char *got, size_t cap)
{
	const json_t *v = json_object_get(o, k);

	if (memchr(got, '\0', cap) == NULL)
		abort();
	if (json_is_string(v) && json_string_length(v) < cap - 4 &&
	    strlen(json_string_value(v)) == json_string_length(v) &&
	    strcmp(json_string_value(v), got) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct case_ans *a;
	json_t *o;
	size_t i;

	if (size > (1u << 16))
		return 0;
	ds_json_init();
	if ((a = malloc(sizeof(*a))) == NULL)
		return 0;
	if (case_ans_scan((const char *)data, size, a) == 0 &&
	    (o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL)) != NULL) {
		if (json_is_object(o)) {
			same(o, "hh_id", a->hh_id, sizeof(a->hh_id));
			same(o, "visit_date", a->visit_date,
			    sizeof(a->visit_date));
			same(o, "head_name", a->head_name, sizeof(a->head_name));
			for (i = 0; i < CASE_ANS_NGRID; i++)
				same(o, case_ans_grid[i], a->has[i],
				    sizeof(a->has[i]));
			if (json_is_array(json_object_get(o, "member")) &&
			    json_array_size(json_object_get(o, "member")) !=
			    a->nmembers)
				abort();
			if (json_is_object(json_object_get(o, "_meta")))
				same(json_object_get(o, "_meta"), "state",
				    a->state, sizeof(a->state));
		}
		json_decref(o);
	}
	case_ans_wipe(a);
	free(a);
	return 0;
}
