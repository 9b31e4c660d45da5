/* doorstep: fuzz the pre-authentication bundle parser and verifier. */
/*
 * Everything an attacker without any key reaches: caps, the strict header
 * parse and the signature check.  Invariants: a header that parses
 * accounts for the input length exactly; no mutated input verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_header h;
	int why = -1;

	if (bundle_parse_header(data, size, &h, &why, NULL) != DS_OK) {
		if (why <= BR_OK || why >= BR_COUNT)
			abort();
		return 0;
	}
	if (h.file_len != size || h.header_len > size ||
	    h.chunk_count < 1 || h.nforms < 1)
		abort();
	(void)bundle_verify(data, size, &h, &why, NULL);
	return 0;
}
