/* doorstep: fuzz the workspace keyring checker. */
/*
 * What ws_open reads before any key derivation.  Invariants: only
 * DS_OK or DS_ECORRUPT; an accepted keyring stays accepted byte for byte
 * (the checker demands the canonical encoding), and changing any one byte
 * of an accepted keyring makes it rejected.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ds_status st;
	char *copy;

	st = ws_keyring_check((const char *)data, size, "fuzz", NULL);
	if (st != DS_OK && st != DS_ECORRUPT && st != DS_ENOMEM)
		abort();
	if (st != DS_OK || size == 0)
		return 0;
	if ((copy = ds_malloc(size)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size / 2] ^= 0x01;
	if (ws_keyring_check(copy, size, "fuzz", NULL) == DS_OK)
		abort();
	ds_free(copy);
	return 0;
}
