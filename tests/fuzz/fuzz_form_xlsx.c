/* doorstep: libFuzzer target for the .xlsx form loader. */
/*
 * Feeds the input, a zip, to form_load_xlsx (libzip + expat + the XLSForm
 * loader) and checks the model's invariants (form_check.h).  A failed load
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
	struct xls_opts o = { "fuzz.xlsx", fz_fetch, NULL };
	struct form_diags d;
	struct form *f = NULL;
	enum ds_status rc;
	char buf[256];
	size_t i;

	if (size > (1u << 20))
		return 0;
	form_diags_init(&d);
	rc = form_load_xlsx(data, size, &o, &f, &d);
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
