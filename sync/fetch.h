/* doorstep: the laptop side of visit lists: office bundles in, notes out. */
#ifndef DS_FETCH_H
#define DS_FETCH_H

/*
 * docs/case.md "On the laptop" and docs/bundle-format.md "Reading order
 * (laptop)".  fetch_apply applies one office bundle exactly once: every
 * check (this laptop, the pinned office key, the signature, the sequence
 * and chain, the seal, the stream, the payload) runs before anything is
 * written; then the form files are installed and one store transaction
 * takes the entries, the withdrawals and the applied sequence.  A refused
 * bundle leaves the workspace byte-identical.  fetch_note makes the
 * device note that tells the office the box key and what was applied.
 *
 * fetch_dir (a USB stick) and fetch_http (the office server) apply every
 * office bundle waiting for this laptop, in order, and leave a note;
 * fetch_sync is `doorstep sync`: push, note, fetch until none, note.
 * Nothing here prints: results are counts and reason codes.
 */
#include <stddef.h>
#include <stdint.h>

#include "dnote.h"
#include "eng.h"
#include "form.h"
#include "json.h"
#include "obundle.h"
#include "pack.h"
#include "sess.h"
#include "status.h"
#include "store.h"
#include "ws.h"

#define FETCH_FORMS_MAX	8	/* form versions named in a result */

struct fetch_res {
	int		why;		/* enum obundle_reason; OB_OK: applied */
	uint64_t	seq;		/* the bundle's; 0 if unreadable */
	uint64_t	applied;	/* the workspace's applied sequence */
	size_t		n_entries, n_withdrawals, n_files;
	size_t		n_forms;	/* form versions installed */
	char		forms[FETCH_FORMS_MAX][2 * 130];	/* "id version" */
};

/*
 * Apply one office bundle.  DS_OK: applied.  DS_EREJECT: refused, res->why
 * says why (OB_APPLIED for one applied before: nothing to do, nothing
 * changed).  DS_ESTATE: the workspace has no box key yet.  Another
 * status: a workspace failure (disk, memory), res->why OB_STORE; nothing
 * was applied and the same bundle can be applied again.
 */
enum ds_status	 fetch_apply(struct ws *, const unsigned char *buf, size_t len,
		    struct fetch_res *, struct ds_err *);

/* The device note for the workspace as it is now. */
enum ds_status	 fetch_note(struct ws *, unsigned char out[DNOTE_LEN],
		    struct ds_err *);

/* What fetching did, over several bundles. */
struct fetch_sum {
	size_t		applied;	/* bundles applied now */
	size_t		already;	/* found again, applied before */
	size_t		refused;	/* refused (last_why says the last) */
	int		last_why;	/* enum obundle_reason of a refusal */
	uint64_t	seq;		/* applied sequence at the end */
	size_t		n_entries, n_withdrawals, n_files, n_forms;
	char		forms[FETCH_FORMS_MAX][2 * 130];
	int		noted;		/* the office has (or will get) a note */
};

/*
 * USB: apply every office bundle in DIR/doorstep/inbox/<this device>/ in
 * sequence order (older and foreign files are refused without harm),
 * then write this laptop's note to DIR/doorstep/notes/<device>.dsn
 * (atomic, 0600).  Refusals are counted, not failures; DS_OK unless the
 * workspace or the stick failed.
 */
enum ds_status	 fetch_dir(struct ws *, const char *dir, struct fetch_sum *,
		    struct ds_err *);

/*
 * HTTP: post the note, then GET office bundles from applied + 1 until the
 * office has no more (404), applying each, then post the note again.
 * DS_ENET when the office cannot be reached (nothing applied is lost);
 * DS_ECRYPTO when the https server could not be trusted (xport.h).
 */
enum ds_status	 fetch_http(struct ws *, const char *base,
		    const struct xport_opts *, struct fetch_sum *,
		    struct ds_err *);

/* `doorstep sync`: what the push and the fetch did. */
struct fetch_sync {
	enum ds_status		 push;		/* DS_ENOENT: nothing to send */
	struct pack_result	 sent;
	struct receipt		 rc;
	struct ds_err		 push_err;
	struct fetch_sum	 got;
};

/*
 * Push what waits (pack_push), then fetch_http.  The push's outcome is in
 * r->push (a failed push does not stop the fetch: lists still come); the
 * return is the fetch's.  The TUI's sync screen calls this too.
 */
enum ds_status	 fetch_sync(struct ws *, const char *base,
		    const struct pack_opts *, const struct push_opts *,
		    struct fetch_sync *r, struct ds_err *);

/* ---- starting a visit (fetch_visit.c) ------------------------------- */

enum fetch_visit_kind {
	FV_ENTRY = 1,	/* from a list entry */
	FV_CORRECT,	/* a correction of a finalized record */
	FV_REVISIT	/* 再访: any household seen before, no entry */
};

struct fetch_visit {
	int			 kind;		/* enum fetch_visit_kind */
	const struct store_entry *entry;	/* FV_ENTRY */
	const unsigned char	*record_id;	/* FV_CORRECT, FV_REVISIT */
	const char		*note;		/* FV_CORRECT: why, as typed */
};

/*
 * The form a visit uses: the entry's form id and version, the corrected
 * record's own, or (再访) the record's form id with ver "" (the newest
 * installed).
 */
enum ds_status	 fetch_visit_form(struct store *, const struct fetch_visit *,
		    char *id, size_t idn, char *ver, size_t vern,
		    struct ds_err *);

/*
 * Start a new record in s (from sess_new; nothing is saved yet): the
 * _meta keys of docs/case.md (entry, reason, hh_key, place, consent_ref;
 * corrects and correction_note; revisit), the carried answers through
 * the engine's checks (those the form refuses now are listed in *iv and
 * left out), the visit type the reason calls for, and _meta.carried.
 * *carried (the answers carried, a new reference) lets the caller apply
 * them again once consent opens the gate (fetch_visit_mark after).  A
 * correction of a record not finalized is DS_ESTATE.
 */
enum ds_status	 fetch_visit_start(struct sess *, struct store *,
		    const struct form *, const struct fetch_visit *,
		    json_t **carried, struct eng_issue **iv, size_t *niv,
		    struct ds_err *);
/* Note in _meta.carried the carried answers the engine holds now that
 * are not noted yet (path: value). */
enum ds_status	 fetch_visit_mark(struct sess *, const json_t *carried);

#endif
