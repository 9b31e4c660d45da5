/* doorstep: fuzz the reports' reading of one record's answers JSON. */
/*
 * report_rec_parse sees every head's answers: text the importer checked
 * to be a JSON object, written by any form version.  Invariants: no crash
 * or leak; on success every string field is NUL-terminated inside its
 * array, every coded field is in its range, months are valid or 0, and
 * the reasons are as many as allocated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
str_ok(const char *s, size_t n)
{
	if (memchr(s, '\0', n) == NULL)
		abort();
}

static void
ym_ok(int ym)
{
	if (ym != 0 && (ym < 200001 || ym > 209912 || ym % 100 < 1 ||
	    ym % 100 > 12))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_rec r;
	size_t i;

	ds_json_init();
	memset(&r, 0, sizeof(r));
	if (report_rec_parse((const char *)data, size, &r, NULL) == DS_OK) {
		str_ok(r.hh, sizeof(r.hh));
		str_ok(r.head, sizeof(r.head));
		str_ok(r.township, sizeof(r.township));
		str_ok(r.village, sizeof(r.village));
		str_ok(r.village_name, sizeof(r.village_name));
		str_ok(r.visit_date, sizeof(r.visit_date));
		ym_ok(r.visit_ym);
		ym_ok(r.ident_ym);
		ym_ok(r.el_ym);
		if (r.visit_type < -1 || r.visit_type >= REPORT_NVISIT ||
		    r.channel < -1 || r.channel > 2 ||
		    r.category < RC_NONE || r.category > RC_SUDDEN ||
		    r.risk_main < -1 || r.risk_main >= REPORT_NRISK ||
		    r.el_way < 0 || r.el_way > 2 || r.n_members < 0 ||
		    r.measures >= 1u << REPORT_NMEASURE)
			abort();
		for (i = 0; i < r.nreasons; i++)
			if (r.reason_path[i] == NULL ||
			    r.reason_text[i] == NULL)
				abort();
	}
	report_rec_reset(&r);
	return 0;
}
