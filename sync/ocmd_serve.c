/* doorstep: `doorstep-office serve`, the HTTP receiver. */
/*
 * Runs until SIGINT or SIGTERM.  Prints "listening on ADDR:PORT" once the
 * socket is bound (port 0 picks a free one, for tests).  TLS with
 * --cert FILE --key FILE (PEM); bundles are signed and encrypted end to
 * end anyway, TLS is defence in depth.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "ocmd_util.h"
#include "rcv.h"
#include "util.h"

extern const struct cmd_entry ocmd_serve_entry;

static int
office_serve(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct rcv_opts ro;
	struct rcv_ctx ctx;
	struct rcv *rv = NULL;
	struct ds_err err;
	const char *listen = "127.0.0.1:8470", *cert = NULL, *key = NULL;
	const char *maxs = NULL;
	char addr[64], *colon, *cbuf = NULL, *kbuf = NULL;
	int64_t port, maxb;
	size_t n;
	sigset_t set;
	int rc, sig;

	if (office_opt(&argc, argv, "--listen", &listen) == -1 ||
	    office_opt(&argc, argv, "--cert", &cert) == -1 ||
	    office_opt(&argc, argv, "--key", &key) == -1 ||
	    office_opt(&argc, argv, "--max-size", &maxs) == -1 || argc != 1)
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
	ds_err_clear(&err);
	if ((cert != NULL && ds_file_read(cert, 1 << 20, &cbuf, &n, &err) !=
	    DS_OK) || (key != NULL && ds_file_read(key, 1 << 20, &kbuf, &n,
	    &err) != DS_OK)) {
		ds_free(cbuf);
		return office_fail(cli, "serve", err.msg);
	}
	ro.tls_cert = cbuf;
	ro.tls_key = kbuf;
	if ((rc = office_open(cli, &ocmd_serve_entry, &o, 1)) != 0) {
		ds_free(cbuf);
		ds_free(kbuf);
		return rc;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.db = o.db;
	ctx.sec = o.sec;
	/* Block the signals before the daemon thread starts. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rcv_start(&ctx, &ro, &rv, &err) != DS_OK) {
		office_close(&o);
		ds_free(cbuf);
		if (kbuf != NULL)
			ds_free(kbuf);
		return office_fail(cli, "serve", err.msg);
	}
	printf("listening on %s:%u (%s)\n", addr, (unsigned)rcv_port(rv),
	    cbuf != NULL ? "https" : "http");
	fflush(stdout);
	sigwait(&set, &sig);
	rcv_stop(rv);
	office_close(&o);
	ds_free(cbuf);
	ds_free(kbuf);
	printf("stopped\n");
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_serve_entry = {
	"serve",
	"[--listen ADDR:PORT] [--cert FILE --key FILE] [--max-size BYTES]",
	"receive bundles over HTTP: PUT /v1/bundles/ID, GET /v1/devices/ID/acks",
	office_serve
};
