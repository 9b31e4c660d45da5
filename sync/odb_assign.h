/* doorstep: office.db for visit lists: entries, items, office bundles. */
#ifndef DS_ODB_ASSIGN_H
#define DS_ODB_ASSIGN_H

/*
 * The SQL of the visit lists (docs/case.md, tables entry, ob_item,
 * obundle, form_pub, form_file and the device's box key and note
 * columns).  No function opens a transaction: assign.c wraps each command
 * in one.  An entry's body (the entry JSON as sent, with the household's
 * head name and previous answers) is sealed under "entry.body" and the
 * entry id; everything else in these tables is codes, ids, dates, states
 * and counts.  Nothing here prints.
 */
#include <stddef.h>
#include <stdint.h>

#include "odb.h"
#include "status.h"

#define ODB_REASON_MAX	16
#define ODB_DATE_MAX	11	/* YYYY-MM-DD and NUL */
#define ODB_TEXT_MAX	256

/* ---- entries ------------------------------------------------------------ */

enum odb_entry_state {
	ODB_ENTRY_QUEUED = 1,	/* made, waiting for the device's box key */
	ODB_ENTRY_SENT,		/* in an office bundle */
	ODB_ENTRY_APPLIED,	/* the device's note says it applied it */
	ODB_ENTRY_DONE,		/* a visit answered it */
	ODB_ENTRY_WITHDRAWN
};
/* "queued", "sent", "applied", "done", "withdrawn"; "" for others. */
const char	*odb_entry_state_str(int);

struct odb_entry {
	unsigned char	entry_id[16];
	char		hh_key[ODB_TEXT_MAX];
	unsigned char	device_id[16];
	char		worker[ODB_TEXT_MAX];
	char		reason[ODB_REASON_MAX];
	char		due[ODB_DATE_MAX];
	unsigned char	clue_id[16];
	int		has_clue;
	char		round[ODB_TEXT_MAX];
	char		form_id[ODB_TEXT_MAX];
	char		form_ver[ODB_TEXT_MAX];
	int		state;		/* enum odb_entry_state */
	int64_t		created_at;
	uint64_t	ob_seq;		/* 0: not sent */
	int64_t		applied_at, done_at, withdrawn_at;
};

/* Insert a new entry (state from e) with its sealed body JSON. */
enum ds_status	 odb_entry_put(struct odb *, const struct odb_entry *,
		    const char *body, size_t len, struct ds_err *);
/* DS_ENOENT when unknown. */
enum ds_status	 odb_entry_get(struct odb *, const unsigned char id[16],
		    struct odb_entry *out, struct ds_err *);
/*
 * Find by a unique hex prefix (>= 4 digits): DS_ENOENT none, DS_EINVAL
 * several.
 */
enum ds_status	 odb_entry_find(struct odb *, const char *hexprefix,
		    struct odb_entry *out, struct ds_err *);
/* The body JSON, unsealed into *out (NUL-terminated; odb_answers_free). */
enum ds_status	 odb_entry_body(struct odb *, const unsigned char id[16],
		    char **out, size_t *len, struct ds_err *);
/*
 * *open = 1 if the household has an entry for the device with this
 * reason that is queued, sent or applied (not yet done or withdrawn).
 */
enum ds_status	 odb_entry_open(struct odb *, const char *hh_key,
		    const unsigned char device_id[16], const char *reason,
		    int *open, struct ds_err *);
/* Set the state; `at` goes to the state's time column. */
enum ds_status	 odb_entry_state_set(struct odb *, const unsigned char id[16],
		    int state, int64_t at, struct ds_err *);
/* Sent entries of a device in office bundles up to seq become applied. */
enum ds_status	 odb_entry_applied(struct odb *, const unsigned char dev[16],
		    uint64_t seq, int64_t at, struct ds_err *);
/* Every entry of one device (all when NULL), oldest first. */
enum ds_status	 odb_entry_each(struct odb *, const unsigned char *device_id,
		    int (*cb)(void *, const struct odb_entry *), void *arg,
		    struct ds_err *);

/* Per device: entries by state, and open ones past their due date. */
struct odb_list_counts {
	unsigned char	device_id[16];
	int64_t		queued, sent, applied, done, withdrawn, overdue;
	uint64_t	ob_seq;		/* office bundles made for it */
	uint64_t	note_seq;	/* the highest it says it applied */
	int64_t		note_at;	/* its last note; 0: none */
	int		has_box;	/* its box key is known */
};
/* One call per device that has entries or office bundles, by id. */
enum ds_status	 odb_list_counts(struct odb *, const char *today,
		    int (*cb)(void *, const struct odb_list_counts *),
		    void *arg, struct ds_err *);

/* ---- households to visit ---------------------------------------------------- */

enum odb_cand_by {
	ODB_CAND_PLACE = 1,	/* hh rows of the place filters */
	ODB_CAND_CLUES,		/* with an open clue (the oldest one) */
	ODB_CAND_FOLLOWUP,	/* monitored, no finalized visit since */
	ODB_CAND_LOOKBACK,	/* eliminated, no finalized visit since */
	ODB_CAND_ROUND,		/* in the register and the round's scope */
	ODB_CAND_KEY		/* one household key */
};

struct odb_cand_q {
	int		 by;		/* enum odb_cand_by */
	const char	*village, *vgroup, *grid_worker;	/* or NULL */
	const char	*since;		/* FOLLOWUP, LOOKBACK */
	const char	*round;		/* ROUND */
	const char	*key;		/* KEY */
};

/* A household and, for CLUES, its clue; texts unsealed (wiped after cb). */
struct odb_cand {
	char		 hh_key[ODB_TEXT_MAX];
	char		 township[ODB_TEXT_MAX], village[ODB_TEXT_MAX];
	char		 vgroup[ODB_TEXT_MAX], grid_worker[ODB_TEXT_MAX];
	char		 head_name[ODB_TEXT_MAX];
	int		 has_clue;
	unsigned char	 clue_id[16];
	char		 channel[32], source[ODB_TEXT_MAX];
	char		 clue_date[ODB_DATE_MAX];
	char		 clue_reason[4096 + 1];
	char		 clue_amount[64];	/* "" when none */
	char		 round_due[ODB_DATE_MAX];	/* ROUND */
};

/*
 * The households a selection picks, by village, group and key, each
 * once.  A KEY unknown to the hh table but seen in imported revisions is
 * returned with empty places; a key seen nowhere gives no call.  ROUND:
 * DS_ENOENT for an unknown round.  Needs the data key (head names,
 * clue texts).
 */
enum ds_status	 odb_candidates(struct odb *, const struct odb_cand_q *,
		    int (*cb)(void *, const struct odb_cand *), void *arg,
		    struct ds_err *);

/*
 * The current revisions of the household's records (not deleted), newest
 * save first: their ids, at most max into out, *n of them.
 */
enum ds_status	 odb_hh_heads(struct odb *, const char *hh_key,
		    unsigned char (*out)[16], size_t max, size_t *n,
		    struct ds_err *);

/* ---- items waiting for a device's next office bundle --------------------- */

enum odb_item_kind {
	ODB_ITEM_ENTRY = 1,
	ODB_ITEM_WITHDRAW,
	ODB_ITEM_FORM
};

struct odb_item {
	int		kind;		/* enum odb_item_kind */
	unsigned char	ref[2 * ODB_TEXT_MAX];	/* entry id, or id NUL ver */
	size_t		ref_len;
};

/* Queue an item (a second queue of the same item is ignored). */
enum ds_status	 odb_item_queue(struct odb *, const unsigned char device[16],
		    int kind, const void *ref, size_t ref_len,
		    struct ds_err *);
/* Drop a queued (unsent) item; *dropped 1 if there was one. */
enum ds_status	 odb_item_unqueue(struct odb *, const unsigned char device[16],
		    int kind, const void *ref, size_t ref_len, int *dropped,
		    struct ds_err *);
/* The queued items of a device, forms first, then entries, withdrawals. */
enum ds_status	 odb_item_each_queued(struct odb *,
		    const unsigned char device[16],
		    int (*cb)(void *, const struct odb_item *), void *arg,
		    struct ds_err *);
/* Note that an item went out in office bundle seq. */
enum ds_status	 odb_item_sent(struct odb *, const unsigned char device[16],
		    int kind, const void *ref, size_t ref_len, uint64_t seq,
		    struct ds_err *);
/* Devices with queued items, by id. */
enum ds_status	 odb_item_devices(struct odb *,
		    int (*cb)(void *, const unsigned char device[16]),
		    void *arg, struct ds_err *);
/* *any = 1 if the form version ever went or waits to go to the device. */
enum ds_status	 odb_item_has(struct odb *, const unsigned char device[16],
		    int kind, const void *ref, size_t ref_len, int *any,
		    struct ds_err *);

/* ---- office bundles --------------------------------------------------------- */

struct odb_obundle {
	unsigned char	 device_id[16];
	uint64_t	 seq;
	unsigned char	 bundle_id[16];
	unsigned char	 hash[32];
	int64_t		 created_at, applied_at;
	int64_t		 n_entries, n_withdrawals, n_files;
	const unsigned char *bytes;	/* during a callback only */
	size_t		 len;
};

enum ds_status	 odb_obundle_put(struct odb *, const struct odb_obundle *,
		    struct ds_err *);
/* The newest bundle of a device: *seq 0 (hash zero) when none. */
enum ds_status	 odb_obundle_last(struct odb *, const unsigned char dev[16],
		    uint64_t *seq, unsigned char hash[32], struct ds_err *);
/* One bundle's bytes, *out the caller's (ds_free); DS_ENOENT if none. */
enum ds_status	 odb_obundle_get(struct odb *, const unsigned char dev[16],
		    uint64_t seq, unsigned char **out, size_t *len,
		    unsigned char hash[32], struct ds_err *);
/* Bundles of a device with seq > after, in order; bytes during cb. */
enum ds_status	 odb_obundle_each(struct odb *, const unsigned char dev[16],
		    uint64_t after,
		    int (*cb)(void *, const struct odb_obundle *), void *arg,
		    struct ds_err *);
/*
 * Take back the office bundles after seq (never applied; sealed to a box
 * key the device no longer has): their items and entries wait again.
 */
enum ds_status	 odb_obundle_unsend(struct odb *, const unsigned char dev[16],
		    uint64_t seq, struct ds_err *);
/* Every bundle up to seq counts as applied (at `at`, once). */
enum ds_status	 odb_obundle_applied(struct odb *, const unsigned char dev[16],
		    uint64_t seq, int64_t at, struct ds_err *);

/* ---- published forms ---------------------------------------------------- */

struct odb_form_file {
	const char		*name;
	int			 role;	/* 1 form, 2 list (obundle roles) */
	const unsigned char	*bytes;
	size_t			 len;
};

/*
 * Record a form version and its files.  DS_EEXIST when that version is
 * already published with other bytes; the same files again is DS_OK
 * (*same 1).
 */
enum ds_status	 odb_form_put(struct odb *, const char *form_id,
		    const char *version, const char *title,
		    const struct odb_form_file *, size_t n, int64_t at,
		    int *same, struct ds_err *);
/* The files of a form version (bytes valid during cb); DS_ENOENT none. */
enum ds_status	 odb_form_files(struct odb *, const char *form_id,
		    const char *version,
		    int (*cb)(void *, const struct odb_form_file *), void *arg,
		    struct ds_err *);
/* The newest published version of every form (by publication), or of
 * form_id only when not NULL. */
enum ds_status	 odb_form_latest(struct odb *, const char *form_id,
		    int (*cb)(void *, const char *id, const char *ver),
		    void *arg, struct ds_err *);

/* ---- device box keys and notes ------------------------------------------- */

/* *has 1 and box_pk set if the device's box key is known; note_seq too. */
enum ds_status	 odb_device_box(struct odb *, const unsigned char dev[16],
		    unsigned char box_pk[32], int *has, uint64_t *note_seq,
		    struct ds_err *);
/*
 * Record a verified note: the box key (at `at` when it changes), the
 * highest applied sequence (never lowered), the note time.  *changed 1
 * when an earlier, different box key was replaced.
 */
enum ds_status	 odb_device_note(struct odb *, const unsigned char dev[16],
		    const unsigned char box_pk[32], uint64_t applied_seq,
		    int64_t at, int *first, int *changed, struct ds_err *);

#endif
