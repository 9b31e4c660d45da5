/* doorstep: the office side of visit lists (entries -> office bundles). */
#ifndef DS_ASSIGN_H
#define DS_ASSIGN_H

/*
 * docs/case.md "Visit lists": assign_make picks households (by place,
 * open clues, follow-ups due, 回头看 due, a screening round, or listed
 * keys), makes one entry per household for one device with the
 * household's previous answers (the questions the form marks carry) and
 * its consent on file, and queues it.  assign_publish records a form
 * version with its CSV lists and queues it for every enrolled device;
 * assign_withdraw takes an entry back.  assign_flush seals each device's
 * queued items into its next office bundles (sequence n + 1, chained by
 * hash) once its box key is known from a device note (assign_note).
 *
 * None of these opens a transaction: the caller wraps one command in
 * odb_begin ... odb_commit, so a failure changes nothing.  Every function
 * needs office.db opened with the office secret key (sealed entry bodies,
 * head names, previous answers).  Nothing here prints: results are
 * counts and codes for the command to word.
 */
#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "odb.h"
#include "status.h"

/* What picks the households. */
enum assign_by {
	ASSIGN_PLACE = 1,	/* every household of a village/group/worker */
	ASSIGN_CLUES,		/* households with an open clue */
	ASSIGN_FOLLOWUP,	/* monitored, no finalized visit since `since` */
	ASSIGN_LOOKBACK,	/* eliminated, no finalized visit since `since` */
	ASSIGN_ROUND,		/* the register in a screening round's scope */
	ASSIGN_KEYS		/* household keys listed by hand */
};

struct assign_sel {
	int		 by;		/* enum assign_by */
	/* Place filters, any subset (NULL: any); they narrow every kind. */
	const char	*village, *vgroup, *grid_worker;
	const char	*since;		/* FOLLOWUP, LOOKBACK: YYYY-MM-DD */
	const char	*round;		/* ROUND: its name */
	const char *const *keys;	/* KEYS */
	size_t		 nkeys;
	const char	*reason;	/* NULL: the kind's own (below) */
	const char	*due;		/* NULL: the kind's own (below) */
	const char	*today;		/* YYYY-MM-DD */
	const char	*worker;	/* who the entry is for, as shown */
	const char	*form_id;	/* its newest published version */
};

/*
 * Default reason and due date per kind: PLACE routine, end of this month;
 * CLUES clue, today + 7 days; FOLLOWUP followup, end of this month;
 * LOOKBACK lookback, end of this month; ROUND screening, the round's due
 * date (else + 30 days); KEYS routine, end of this month.
 */

struct assign_result {
	size_t	made;		/* entries made */
	size_t	already;	/* households with an open entry of that reason */
	size_t	unknown;	/* listed keys the office does not know */
	char	first_unknown[256];
	size_t	bundles;	/* office bundles sealed by the flush */
	int	waiting;	/* the device's box key is not known yet */
	char	form_ver[256];	/* the form version the entries use */
};

/*
 * Make entries for `device` (enrolled, not revoked: DS_ESTATE) and flush.
 * DS_ENOENT when the form was never published ("publish FORM first").
 */
enum ds_status	 assign_make(struct odb *, const struct cry_office_sec *,
		    const unsigned char device[16], const struct assign_sel *,
		    struct assign_result *, struct ds_err *);

/* A form file the office read (path's base name, bytes). */
struct assign_file {
	const char		*name;
	int			 role;	/* 1 form, 2 list */
	const unsigned char	*bytes;
	size_t			 len;
};

struct assign_pub {
	int	same;		/* this version was published with these files */
	size_t	devices;	/* enrolled devices it was queued for */
	size_t	bundles;
	size_t	waiting;	/* of those, devices without a box key yet */
};

/*
 * Record form_id version (title may be ""), files[0] the form and the rest
 * its CSV lists, queue it for every enrolled device that does not have it,
 * flush.  DS_EEXIST when that version was published with other files (a
 * changed form needs a new version).
 */
enum ds_status	 assign_publish(struct odb *, const struct cry_office_sec *,
		    const char *form_id, const char *version, const char *title,
		    const struct assign_file *files, size_t n,
		    struct assign_pub *, struct ds_err *);

/*
 * Withdraw an entry (hex prefix >= 4 digits).  Never sent: it is simply
 * dropped from the queue.  Sent or applied: a withdrawal goes in the
 * device's next office bundle.  Done or withdrawn already: DS_ESTATE.
 * *e gets the entry; *sent 1 when a withdrawal was queued; flushes.
 */
struct odb_entry;
enum ds_status	 assign_withdraw(struct odb *, const struct cry_office_sec *,
		    const char *hexprefix, struct odb_entry *e, int *sent,
		    size_t *bundles, struct ds_err *);

/*
 * Seal the queued items of every device with a known box key (of one
 * device only when device is not NULL) into office bundles; *bundles
 * counts them (may be NULL).
 */
enum ds_status	 assign_flush(struct odb *, const struct cry_office_sec *,
		    const unsigned char *device, size_t *bundles,
		    struct ds_err *);

/* What a device note did. */
enum assign_note_why {
	AN_OK = 0,
	AN_PARSE,	/* not a note, or its signature does not verify */
	AN_OFFICE,	/* for another office */
	AN_DEVICE,	/* unknown device */
	AN_REVOKED,	/* device revoked */
	AN_KEY,		/* signed by a key other than the device's */
	AN_BUNDLE	/* names an office bundle this office did not make */
};

struct assign_note_res {
	int		why;		/* enum assign_note_why */
	unsigned char	device_id[16];
	uint64_t	applied_seq;
	int		first_box;	/* the box key was learnt now */
	int		box_changed;	/* another box key replaced (alert) */
	size_t		bundles;	/* sealed by the flush */
	uint64_t	waiting;	/* bundles made for it, not yet applied */
};

/*
 * Read a device note: verify, record the box key and what was applied,
 * queue the newest version of every published form for a device that
 * just told its first box key, and flush its items.  A refused note
 * changes nothing (res->why says why; DS_EREJECT).
 */
enum ds_status	 assign_note(struct odb *, const struct cry_office_sec *,
		    const unsigned char *buf, size_t len,
		    struct assign_note_res *, struct ds_err *);

/*
 * USB: write every office bundle of `device` the device has not applied
 * to DIR/doorstep/inbox/<device>/<seq>-<bundle>.dso (atomic, 0600), and
 * remove the ones there it has applied.  *n counts files written.
 */
enum ds_status	 assign_inbox(struct odb *, const unsigned char device[16],
		    const char *dir, size_t *n, struct ds_err *);

/* The USB folders, relative to the stick's root. */
#define ASSIGN_INBOX_DIR	"doorstep/inbox"
#define ASSIGN_NOTES_DIR	"doorstep/notes"

#endif
