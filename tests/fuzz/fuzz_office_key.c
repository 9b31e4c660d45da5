/* doorstep: fuzz the office public key file parser. */
/*
 * The file a laptop receives at enrollment.  Invariant: text that parses
 * re-encodes (cry_office_pub_text) to text that parses to the same keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cry.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cry_office_pub a, b;
	char text[CRY_OFFICE_PUB_TEXT_MAX];

	if (cry_office_pub_parse((const char *)data, size, "fuzz", &a, NULL)
	    != DS_OK)
		return 0;
	cry_office_pub_text(&a, text);
	if (cry_office_pub_parse(text, strlen(text), "fuzz", &b, NULL)
	    != DS_OK || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
