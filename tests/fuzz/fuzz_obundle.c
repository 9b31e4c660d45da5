/* doorstep: fuzz the office bundle and device note readers. */
/*
 * The first byte picks the reader:
 *   'p'  the rest is an inflated office bundle payload (what a laptop
 *        parses after the signature and every chunk verified): strict
 *        parse; on success the counts add up and every entry passes the
 *        entry rules again;
 *   'n'  the rest is a device note (what the office reads from anyone):
 *        on success the applied sequence and hash agree;
 *   else the whole input is an office bundle file: the pre-authentication
 *        header parse, the laptop's checks and the signature, against the
 *        test office and device; a header that parses accounts for the
 *        input length exactly, and nothing mutated verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnote.h"
#include "json.h"
#include "mem.h"
#include "obundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
payload(const uint8_t *data, size_t size)
{
	struct obundle_payload *pl = NULL;
	unsigned char *copy;
	const char *msg;
	size_t i, nf = 0, ne = 0, nw = 0;

	if ((copy = ds_malloc(size ? size : 1)) == NULL)
		return;
	memcpy(copy, data, size);
	if (obundle_payload_parse(copy, size, &pl, NULL) != DS_OK)
		return;
	if (pl->n < 1 || pl->n > OBUNDLE_ITEMS_MAX)
		abort();
	for (i = 0; i < pl->n; i++) {
		switch (pl->items[i].kind) {
		case OBI_FILE:
			nf++;
			break;
		case OBI_ENTRY:
			ne++;
			if (obundle_entry_check((const char *)
			    pl->items[i].data.p, pl->items[i].data.n,
			    pl->items[i].entry_id, &msg) != 0)
				abort();
			break;
		case OBI_WITHDRAW:
			nw++;
			break;
		default:
			abort();
		}
	}
	if (nf != pl->n_files || ne != pl->n_entries || nw !=
	    pl->n_withdrawals)
		abort();
	obundle_payload_free(pl);
}

static void
note(const uint8_t *data, size_t size)
{
	static const unsigned char zero[DNOTE_HASH_BYTES];
	struct dnote n;

	if (dnote_parse(data, size, &n, NULL) != DS_OK)
		return;
	if (size != DNOTE_LEN || (n.applied_seq == 0) !=
	    (memcmp(n.applied_hash, zero, sizeof(zero)) == 0))
		abort();
}

static void
container(const uint8_t *data, size_t size)
{
	struct obundle_header h;
	struct cry_office_pub pub;
	unsigned char box[CRY_BOX_PK_BYTES];
	int why = -1;

	if (obundle_parse_header(data, size, &h, &why, NULL) != DS_OK) {
		if (why <= OB_OK || why >= OB_COUNT)
			abort();
		return;
	}
	if (h.file_len != size || h.chunk_count < 1 || h.seq < 1)
		abort();
	/* Checks against the header's own claims pass; the signature
	 * decides (an arbitrary key: nothing verifies under it). */
	memset(&pub, 0, sizeof(pub));
	memcpy(pub.office_id, h.office_id, sizeof(pub.office_id));
	memset(box, 0x42, sizeof(box));
	(void)obundle_check_for(&h, h.device_id, &pub, box, &why, NULL);
	if (obundle_verify(data, size, &h, pub.sign_pk, &why, NULL) == DS_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ds_json_init();
	if (size >= 1 && data[0] == 'p')
		payload(data + 1, size - 1);
	else if (size >= 1 && data[0] == 'n')
		note(data + 1, size - 1);
	else
		container(data, size);
	return 0;
}
