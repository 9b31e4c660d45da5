/* doorstep: `doorstep-office serve`, the HTTP receiver. */
/*
 * Runs until SIGINT or SIGTERM.  Prints "listening on ADDR:PORT" once the
 * socket is bound (port 0 picks a free one, for tests).  TLS with
 * --cert FILE --key FILE (PEM), checked before the socket is bound (a bad
 * file is an error naming it, never a half-started server); the
 * certificate's public-key pin is printed for `sync push --pin`.  Bundles
 * are signed and encrypted end to end anyway: TLS is defence in depth.
 * --timeout bounds how long an idle or half-open connection (a TLS
 * handshake that never finishes) keeps its slot, and how long a body may
 * run below the minimum rate (rcv.h).  Bodies are spooled in the office
 * directory; --held-max caps what devices not enrolled may leave in
 * office.db (0: bundles over HTTP only from enrolled devices).  Each
 * request is logged to stderr, one line, without personal data.
 */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "ocmd_util.h"
#include "rcv.h"
#include "util.h"

extern const struct cmd_entry ocmd_serve_entry;

/* Read a PEM file; the message names the option and the file. */
static int
read_pem(const struct cli *cli, const char *opt, const char *path,
    char **out)
{
	struct ds_err err;
	size_t n;
	char msg[DS_ERR_MSG_MAX + 64];

	ds_err_clear(&err);
	if (ds_file_read(path, RCV_PEM_MAX, out, &n, &err) == DS_OK)
		return 0;
	snprintf(msg, sizeof(msg), "%s %s: %s", opt, path, err.code ==
	    DS_ENOENT ? "no such file" : err.msg);
	return office_fail(cli, "serve", msg);
}

static void
free_pem(char *p)
{
	if (p != NULL) {
		explicit_bzero(p, strlen(p));
		ds_free(p);
	}
}

/* One line per request on stderr (the service's journal). */
static void
log_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

static int
office_serve(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct rcv_opts ro;
	struct rcv_ctx ctx;
	struct rcv *rv = NULL;
	struct ds_err err;
	const char *listen = "127.0.0.1:8470", *cert = NULL, *key = NULL;
	const char *maxs = NULL, *tmo = NULL, *held = NULL;
	struct imp_quota quota;
	char addr[64], msg[DS_ERR_MSG_MAX + 64], *colon;
	char *cbuf = NULL, *kbuf = NULL;
	int64_t port, maxb, secs, heldb;
	struct stat sb;
	sigset_t set;
	int rc, sig;

	if (office_opt(&argc, argv, "--listen", &listen) == -1 ||
	    office_opt(&argc, argv, "--cert", &cert) == -1 ||
	    office_opt(&argc, argv, "--key", &key) == -1 ||
	    office_opt(&argc, argv, "--timeout", &tmo) == -1 ||
	    office_opt(&argc, argv, "--max-size", &maxs) == -1 ||
	    office_opt(&argc, argv, "--held-max", &held) == -1 || argc != 1)
		return cmd_usage(cli, &ocmd_serve_entry);
	snprintf(addr, sizeof(addr), "%s", listen);
	if ((colon = strrchr(addr, ':')) == NULL ||
	    ds_parse_i64(colon + 1, 0, 65535, &port) != 0)
		return cmd_usage(cli, &ocmd_serve_entry);
	*colon = '\0';
	memset(&ro, 0, sizeof(ro));
	ro.addr = addr;
	ro.port = (uint16_t)port;
	if (maxs != NULL) {
		if (ds_parse_i64(maxs, 1024, 1LL << 26, &maxb) != 0)
			return cmd_usage(cli, &ocmd_serve_entry);
		ro.max_body = (size_t)maxb;
	}
	if (tmo != NULL) {
		if (ds_parse_i64(tmo, 1, 3600, &secs) != 0)
			return cmd_usage(cli, &ocmd_serve_entry);
		ro.timeout_s = (unsigned)secs;
	}
	imp_quota_default(&quota);
	if (held != NULL) {
		if (ds_parse_i64(held, 0, 1LL << 40, &heldb) != 0)
			return cmd_usage(cli, &ocmd_serve_entry);
		/* 0: no device that is not enrolled may leave anything. */
		quota.total = heldb != 0 ? (uint64_t)heldb : 1;
		if (quota.device > quota.total)
			quota.device = quota.total;
	}
	if ((cert == NULL) != (key == NULL))
		return office_fail(cli, "serve", "TLS needs both --cert FILE "
		    "and --key FILE");
	if (cert != NULL && !rcv_tls_supported())
		return office_fail(cli, "serve", "this libmicrohttpd was "
		    "built without TLS: serve without --cert and --key, or "
		    "install a libmicrohttpd built with GnuTLS");
	if (cert != NULL && ((rc = read_pem(cli, "--cert", cert, &cbuf)) !=
	    0 || (rc = read_pem(cli, "--key", key, &kbuf)) != 0)) {
		free_pem(cbuf);
		return rc;
	}
	if (key != NULL && stat(key, &sb) == 0 && (sb.st_mode & 077) != 0)
		fprintf(stderr, "%s serve: warning: the key file %s can be "
		    "read by other users; chmod 600 %s\n", cli->progname, key,
		    key);
	ro.tls_cert = cbuf;
	ro.tls_key = kbuf;
	if ((rc = office_open(cli, &ocmd_serve_entry, &o, 1)) != 0) {
		free_pem(cbuf);
		free_pem(kbuf);
		return rc;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.db = o.db;
	ctx.sec = o.sec;
	ctx.quota = &quota;
	ro.spool_dir = o.dir;
	ro.log = log_stderr;
	/* Block the signals before the daemon thread starts. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ds_err_clear(&err);
	if (rcv_start(&ctx, &ro, &rv, &err) != DS_OK) {
		office_close(&o);
		free_pem(cbuf);
		free_pem(kbuf);
		if (cert != NULL && err.code != DS_EIO)
			snprintf(msg, sizeof(msg), "--cert %s --key %s: %s",
			    cert, key, err.msg);
		else
			snprintf(msg, sizeof(msg), "%s", err.msg);
		return office_fail(cli, "serve", msg);
	}
	printf("listening on %s:%u (%s)\n", addr, (unsigned)rcv_port(rv),
	    cert != NULL ? "https" : "http");
	if (rcv_pin(rv) != NULL)
		printf("certificate public-key pin: %s\n", rcv_pin(rv));
	fflush(stdout);
	sigwait(&set, &sig);
	rcv_stop(rv);
	office_close(&o);
	/* The daemon may read the credentials until it stops. */
	free_pem(cbuf);
	free_pem(kbuf);
	printf("stopped\n");
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_serve_entry = {
	"serve",
	"[--listen ADDR:PORT] [--cert FILE --key FILE] [--timeout SECONDS]"
	    " [--max-size BYTES] [--held-max BYTES]",
	N_("receive bundles over HTTP: PUT /v1/bundles/ID, "
	    "GET /v1/devices/ID/acks"),
	office_serve,
	N_("Options:\n"
	    "  --listen ADDR:PORT address and port (default 127.0.0.1:8470)\n"
	    "  --cert FILE --key FILE\n"
	    "      serve https with this certificate and key (PEM)\n"
	    "  --timeout SECONDS\n"
	    "      drop a connection idle this long, or sending slower than\n"
	    "      100 bytes a second once this long has passed (1-3600,\n"
	    "      default 30)\n"
	    "  --max-size BYTES\n"
	    "      the largest bundle accepted\n"
	    "  --held-max BYTES\n"
	    "      what laptops not enrolled yet may leave at the office in\n"
	    "      all (default 128 MiB); 0 takes bundles over HTTP only\n"
	    "      from enrolled laptops\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office serve --listen 0.0.0.0:8470 \\\n"
	    "      --cert office.crt --key office.key\n")
};
