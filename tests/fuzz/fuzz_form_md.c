/* doorstep: libFuzzer target for the pyxform markdown form loader. */
/*
 * Feeds the input to form_load_md with a fetch callback that serves one
 * small CSV for every *.csv name, then checks the model's invariants
 * (form.c): nodes[i]->index == i, the root first, every named node found by
 * form_find, parent/kids consistent, list indexes valid.  A failed load
 * must have recorded at least one error.  Leaks are caught by ASan.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "form.h"
#include "mem.h"
#include "xls.h"

#include "form_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xls_opts o = { "fuzz.md", fz_fetch, NULL };
	struct form_diags d;
	struct form *f = NULL;
	enum ds_status rc;
	char buf[256];
	size_t i;

	if (size > (1u << 20))
		return 0;
	form_diags_init(&d);
	rc = form_load_md((const char *)data, size, &o, &f, &d);
	if (rc == DS_OK) {
		assert(f != NULL);
		fz_check(f);
		form_free(f);
	} else {
		assert(f == NULL && d.nerrors > 0);
	}
	for (i = 0; i < d.n; i++)
		form_diag_format(&d.v[i], buf, sizeof(buf));
	form_diags_reset(&d);
	return 0;
}
