/* doorstep: fuzz the decrypted payload parser. */
/*
 * The input is taken as an inflated payload; the header it is checked
 * against lists the form the golden seeds use and a sequence range wide
 * enough for any record.  Invariants on success: as many revisions as the
 * count field says, sequence numbers strictly increasing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "json.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	unsigned char *copy;
	size_t i;

	ds_json_init();
	memset(&h, 0, sizeof(h));
	h.seq_lo = 1;
	h.seq_hi = UINT32_MAX;
	h.record_count = size >= 8 ? (uint32_t)data[4] | (uint32_t)data[5] << 8 :
	    1;
	h.nforms = 1;
	h.forms[0].id.p = (const unsigned char *)"household";
	h.forms[0].id.n = 9;
	h.forms[0].ver.p = (const unsigned char *)"2026.1";
	h.forms[0].ver.n = 6;
	if ((copy = ds_malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (bundle_payload_parse(copy, size, &h, &pl, NULL) != DS_OK)
		return 0;
	if (pl->nrevs != h.record_count)
		abort();
	for (i = 1; i < pl->nrevs; i++)
		if (pl->revs[i].device_seq <= pl->revs[i - 1].device_seq)
			abort();
	/* What the scanner accepts, jansson (every later reader) accepts. */
	for (i = 0; i < pl->nrevs; i++) {
		json_t *j = NULL;

		if (ds_json_parse((const char *)pl->revs[i].answers.p,
		    pl->revs[i].answers.n, 1u << 20, "fuzz", &j, NULL) !=
		    DS_OK || !json_is_object(j))
			abort();
		json_decref(j);
	}
	bundle_payload_free(pl);
	return 0;
}
