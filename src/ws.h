/* doorstep: the workspace: keyring, unlock, passphrase (layer 6). */
#ifndef DS_WS_H
#define DS_WS_H

/*
 * A workspace is a 0700 directory holding, each 0600:
 *   keyring            the wrapped data key (DEK) and device key (text,
 *                      docs/keys.md): a passphrase wrap (Argon2id KEK), a
 *                      recovery wrap sealed to the office recovery key,
 *                      the device Ed25519 key and X25519 box key sealed
 *                      under DEK subkeys,
 *                      the worker name sealed likewise, and a checksum;
 *   office-public.key  the pinned office public keys (copied at init);
 *   records.db         the record store (store.h), with -wal and -shm;
 *   worker             the worker's name in clear, shown on the unlock
 *                      screen before the passphrase (the only clear
 *                      text; it names the laptop's user, never a
 *                      household).
 *
 * An open workspace (struct ws) holds the DEK, the device signing key and
 * the worker name in secure memory until ws_close() wipes them.  Layers
 * above get the store, the device id and signer, and the office keys from
 * it.  Nothing here prints; a wrong passphrase is DS_EPASS after a
 * deliberate delay (WS_FAIL_DELAY_MS), so guessing is slow on every path.
 */

#include <stddef.h>

#include "cry.h"
#include "status.h"
#include "store.h"

#define WS_KEYRING_FILE		"keyring"
#define WS_OFFICE_FILE		"office-public.key"
#define WS_DB_FILE		"records.db"
#define WS_WORKER_FILE		"worker"
#define WS_PASS_MIN_CHARS	8	/* characters (UTF-8 code points) */
#define WS_PASS_MAX		1024	/* bytes */
#define WS_WORKER_MAX		128	/* bytes of the worker name */
#define WS_FAIL_DELAY_MS	1500

struct ws;

/*
 * Default workspace directory: $XDG_DATA_HOME/doorstep, else
 * $HOME/.local/share/doorstep.  DS_ENOENT if neither variable is set.
 */
enum ds_status	 ws_default_dir(char *out, size_t n, struct ds_err *);

/*
 * Passphrase rules (docs/keys.md): valid UTF-8, at least
 * WS_PASS_MIN_CHARS characters, at most WS_PASS_MAX bytes, not one
 * character repeated.  DS_EINVAL with a message saying which rule.
 */
enum ds_status	 ws_pass_check(const char *pass, size_t len, struct ds_err *);

/*
 * Create a workspace in dir (made 0700 if missing; must not hold a
 * keyring): pin the office public key file at office_key_path, make a
 * random DEK, device id and device signing key, wrap the DEK under the
 * passphrase (Argon2id, cost chosen by cry_kdf_calibrate) and seal it to
 * the office recovery key, and create the record store.  On failure
 * nothing is left in dir but what was there before.
 */
enum ds_status	 ws_create(const char *dir, const char *office_key_path,
		    const char *worker, const char *pass, size_t passlen,
		    enum cry_cost, struct ds_err *);

/*
 * Unlock: DS_EPASS for a wrong passphrase (after the delay), DS_ECORRUPT
 * naming the keyring when it is damaged or edited, DS_ENOENT when dir is
 * not a workspace.  *out is the caller's (ws_close).
 */
enum ds_status	 ws_open(const char *dir, const char *pass, size_t passlen,
		    struct ws **out, struct ds_err *);
/*
 * ws_open with flags.  A keyring whose Argon2id memory is below the floor
 * (CRY_KDF_MEM_FLOOR: made with the test-only cost) is refused before any
 * key derivation, DS_ESTATE, by a build that is not a test build
 * (cry_kdf_test_cost), or always with WS_OPEN_FLOOR; WS_OPEN_ANY_COST
 * opens it anyway, for `passwd` to re-wrap it at full cost.  ws_open is
 * ws_open_flags(.., 0).
 */
#define WS_OPEN_FLOOR		1
#define WS_OPEN_ANY_COST	2
/* The store's quick_check is left owed (store_open_flags): the caller
 * runs store_quick_check(ws_store()) once it has shown its first screen. */
#define WS_OPEN_CHECK_LATER	4
enum ds_status	 ws_open_flags(const char *dir, const char *pass,
		    size_t passlen, int flags, struct ws **out,
		    struct ds_err *);
/* 1 if the keyring in dir is readable and below the KDF floor. */
int		 ws_keyring_weak(const char *dir);
/* Close the store and wipe every secret.  NULL is fine. */
void		 ws_close(struct ws *);

/*
 * Re-wrap the DEK under a new passphrase (new salt and cost); records are
 * not re-encrypted.  The keyring is replaced atomically.  It protects
 * against someone who learns the old passphrase later and reads only the
 * current keyring -- not against an old copy of the keyring: that copy
 * and the old passphrase still open the same key (docs/keys.md).
 */
enum ds_status	 ws_passwd(struct ws *, const char *pass, size_t passlen,
		    enum cry_cost, struct ds_err *);

/*
 * A new passphrase and a new data key: every value the store and the
 * keyring keep under the data key is moved to a fresh one (store_rekey),
 * so an old copy of the keyring with the old passphrase opens nothing
 * saved from now on.  Three durable steps (ws.c, ws_rotate); killed at
 * any point, the workspace opens with the old passphrase or the new one,
 * never neither, and the next unlock finishes or undoes what was cut
 * short.  *lost (may be NULL): blind indexes no answer gave (store_rekey).
 * o (may be NULL) lets tests act between the steps.  On failure the
 * handle should be closed.
 */
struct ws_rotate_opts {
	void	(*step)(void *arg, int step);	/* after steps 1, 2, 3 */
	void	*arg;
};
enum ds_status	 ws_passwd_rotate(struct ws *, const char *pass,
		    size_t passlen, enum cry_cost,
		    const struct ws_rotate_opts *, size_t *lost,
		    struct ds_err *);

/*
 * Forgotten passphrase: open the recovery wrap with the office recovery
 * key file, check it belongs to this workspace, and then as
 * ws_passwd_rotate: a new passphrase and a new data key (whoever knew the
 * forgotten one opens nothing saved later).  DS_ECRYPTO if the key is not
 * this office's recovery key.
 */
enum ds_status	 ws_recover(const char *dir, const char *recovery_key_path,
		    const char *pass, size_t passlen, enum cry_cost,
		    struct ds_err *);
enum ds_status	 ws_recover_rotate(const char *dir,
		    const char *recovery_key_path, const char *pass,
		    size_t passlen, enum cry_cost,
		    const struct ws_rotate_opts *, size_t *lost,
		    struct ds_err *);

/*
 * Check keyring text (len bytes) the way ws_open does before any key
 * derivation: strict parse, canonical encoding, checksum, KDF bounds.
 * DS_OK or DS_ECORRUPT naming `what`.  For fuzzing and tests.
 */
enum ds_status	 ws_keyring_check(const char *text, size_t len,
		    const char *what, struct ds_err *);

/* Borrowed from the open workspace, valid until ws_close. */
struct store			*ws_store(struct ws *);
const unsigned char		*ws_id(const struct ws *);	  /* 16 */
const unsigned char		*ws_device_id(const struct ws *); /* 16 */
const struct cry_signkey	*ws_signer(const struct ws *);
/* The device box key office bundles are sealed to; NULL when a keyring
 * from before it could not be rewritten to hold one. */
const struct cry_boxkey		*ws_box(const struct ws *);
const struct cry_office_pub	*ws_office(const struct ws *);
const char			*ws_worker(const struct ws *);

/*
 * Whether err (from ws_open or ws_recover) refused the workspace because
 * its office-public.key is not the office key the keyring pinned: another
 * office, or other keys under the same office id (docs/keys.md).  Nothing
 * was changed; err->file names the key file.
 */
int				 ws_err_office(const struct ds_err *);

/*
 * Whether err (from a rotation: passwd --rotate, recover) failed with the
 * new passphrase already in force: the old one no longer opens the
 * workspace, and the next unlock with the new one finishes the rotation.
 */
#define WS_NEWPASS_MARK		"new-passphrase"
int				 ws_err_newpass(const struct ds_err *);

/*
 * The fingerprint of the device signing key (cry_fingerprint), which the
 * office's enroll requires: of an open workspace, or read from the
 * keyring in `dir` without unlocking (the public key is in clear there).
 */
void				 ws_fingerprint(const struct ws *,
				    char out[CRY_FPR_TEXT]);
enum ds_status			 ws_fingerprint_dir(const char *dir,
				    char out[CRY_FPR_TEXT], struct ds_err *);

/*
 * The worker name of the workspace in `dir` without unlocking it (the
 * plain `worker` file), into out (n bytes, truncated, NUL-terminated).
 * DS_ENOENT for a workspace made before the file existed.
 */
enum ds_status			 ws_worker_hint(const char *dir, char *out,
				    size_t n, struct ds_err *);
const char			*ws_dir(const struct ws *);

/* ---- forms installed in a workspace (ws_form.c) -------------------- */

#define WS_FORM_TOKEN_MAX	128	/* bytes of a form id or version */

struct ws_form_file {
	const char		*name;	/* plain: [A-Za-z0-9._-], no leading '.' */
	const unsigned char	*bytes;
	size_t			 len;
};

/*
 * Write a form version's files (the form and its CSV lists) under
 * WORKSPACE/forms/<form_id>/<version>/, each atomically, mode 0600.  The
 * same version again rewrites the same bytes.
 */
enum ds_status	 ws_form_install(const char *wsdir, const char *form_id,
		    const char *version, const struct ws_form_file *, size_t n,
		    struct ds_err *);
/*
 * Install the form file at path, already loaded as f (its id and
 * version), with the CSV lists it names, read from beside it.  The file
 * keeps its name when that is plain, else becomes form.EXT.
 * DS_EINVAL when f has no version.
 */
struct form;
#define WS_FORM_FILES_MAX	64	/* the form and its lists */
#define WS_FORM_FILE_MAX	(16u << 20)	/* bytes of one of them */
enum ds_status	 ws_form_install_file(const char *wsdir, const char *path,
		    const struct form *f, struct ds_err *);

/*
 * The form file of form_id: of that version, or the newest installed
 * when version is NULL (versions compare as numbers when both are
 * digits, else as text); else a form put in WORKSPACE/forms/ as ID.md or
 * ID.xlsx (ver then ""). The version found goes to ver (may be NULL).
 * DS_ENOENT when the workspace has no such form.
 */
enum ds_status	 ws_form_path(const char *wsdir, const char *form_id,
		    const char *version, char *out, size_t n, char *ver,
		    size_t vn, struct ds_err *);
/* The ids of the forms installed, unsorted, at most max; *n of them. */
enum ds_status	 ws_form_ids(const char *wsdir,
		    char (*ids)[WS_FORM_TOKEN_MAX + 1], size_t max, size_t *n,
		    struct ds_err *);
/* <0, 0, >0 as version a is older, the same, newer than b. */
int		 ws_form_version_cmp(const char *a, const char *b);

#endif
