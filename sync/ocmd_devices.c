/* doorstep: `doorstep-office devices`, the laptops the office knows. */
/*
 * One line per device: id, state, key id, label, held bundles, and the
 * acknowledged sequence ranges with any gaps (data that may be missing),
 * and alerts (a laptop restored from a backup or reinstalled).
 */
#include <stdio.h>
#include <string.h>

#include "cry.h"
#include "i18n.h"
#include "imp.h"
#include "ocmd_util.h"
#include "util.h"

extern const struct cmd_entry ocmd_devices_entry;

#define SHOW_RANGES	64

static int
show_alert(void *arg, const struct odb_alert *a)
{
	char t[32];

	(void)arg;
	ds_time_iso(a->at, t);
	printf(_("  alert %s %s (the device's data may have been restored "
	    "or reinstalled: check it): %s\n"), odb_alert_kind_str(a->kind),
	    t, a->detail);
	return 0;
}

/*
 * Every key that claims a pending device, by the start of its fingerprint
 * only: the clerk reads the whole one on the laptop (enroll --fingerprint).
 */
static void
show_keys(struct office *o, const struct odb_device *d)
{
	struct imp_held_key k[IMP_HELD_BUNDLES + 1];
	struct ds_err err;
	char f[CRY_FPR_TEXT];
	size_t n = 0, i;

	ds_err_clear(&err);
	if (imp_held_keys(o->db, d->device_id, k, sizeof(k) / sizeof(k[0]),
	    &n, &err) != DS_OK)
		return;
	if (n > 1)
		printf(_("  %zu keys claim this device: enroll only with the "
		    "fingerprint the laptop shows\n"), n);
	for (i = 0; i < n; i++) {
		cry_fingerprint(k[i].pk, f);
		printf(_("  key with fingerprint %.9s ...: %zu held "
		    "bundle(s)\n"), f, k[i].bundles);
	}
}

static int
show(void *arg, const struct odb_device *d)
{
	struct office *o = arg;
	struct odb_range r[SHOW_RANGES];
	struct ds_err err;
	unsigned char kid[CRY_KEYID_BYTES];
	char id[33], k[17];
	uint64_t contig;
	int64_t held = 0;
	size_t n = 0, i;

	ds_hex_encode(d->device_id, 16, id);
	cry_key_id(d->sign_pk, 32, kid);
	ds_hex_encode(kid, sizeof(kid), k);
	(void)odb_pending_count(o->db, d->device_id, &held, &err);
	(void)odb_ack_get(o->db, d->device_id, r, SHOW_RANGES, &n, &contig,
	    &err);
	printf("%s  %-8s  key %s  held %lld  label \"%s\"\n", id,
	    odb_dev_state_str(d->state), k, (long long)held, d->label);
	printf("  acknowledged:");
	if (n == 0)
		printf(" none");
	for (i = 0; i < n && i < SHOW_RANGES; i++)
		printf(" %llu-%llu", (unsigned long long)r[i].lo,
		    (unsigned long long)r[i].hi);
	printf("\n");
	if (n > 0 && (r[0].lo > 1 || n > 1)) {
		printf("%s", _("  gaps (data may be missing):"));
		if (r[0].lo > 1)
			printf(" 1-%llu", (unsigned long long)r[0].lo - 1);
		for (i = 1; i < n && i < SHOW_RANGES; i++)
			printf(" %llu-%llu", (unsigned long long)r[i - 1].hi +
			    1, (unsigned long long)r[i].lo - 1);
		printf("\n");
	}
	if (d->state == ODB_DEV_PENDING)
		show_keys(o, d);
	(void)odb_alert_each(o->db, d->device_id, show_alert, NULL, &err);
	return 0;
}

static int
office_devices(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct ds_err err;
	int rc;

	(void)argv;
	if (argc != 1)
		return cmd_usage(cli, &ocmd_devices_entry);
	if ((rc = office_open(cli, &ocmd_devices_entry, &o, 0)) != 0)
		return rc;
	ds_err_clear(&err);
	if (odb_device_each(o.db, show, &o, &err) != DS_OK) {
		office_close(&o);
		return office_fail_err(cli, "devices", &err);
	}
	office_close(&o);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_devices_entry = {
	"devices",
	"",
	N_("list devices: enrolled, pending approval, revoked; gaps"),
	office_devices,
	N_("Options:\n"
	    "  (none)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office devices\n")
};
