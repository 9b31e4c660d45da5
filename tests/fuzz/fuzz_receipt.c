/* doorstep: fuzz the receipt parser. */
/*
 * Invariants on success: ranges sorted, disjoint and non-adjacent, the
 * contiguous mark consistent with them, the message NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct receipt r;
	uint16_t i;

	if (receipt_parse(data, size, &r, NULL) != DS_OK)
		return 0;
	for (i = 1; i < r.nranges; i++)
		if (r.ranges[i].lo <= r.ranges[i - 1].hi + 1)
			abort();
	if (r.nranges > 0 && r.ranges[0].lo == 1 &&
	    r.contiguous != r.ranges[0].hi)
		abort();
	if (memchr(r.msg, '\0', sizeof(r.msg)) == NULL)
		abort();
	return 0;
}
