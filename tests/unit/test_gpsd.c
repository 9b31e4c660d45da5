/* doorstep: gpsd reports to geopoint text, and geopoint text checks. */
#include "harness.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>

#include "buf.h"
#include "gpsd.h"
#include "support/support.h"
#include "val_geo.h"

/* TPV reports as gpsd 3.22 sends them; no receiver needed. */
static void
test_tpv(void)
{
	char out[GPSD_TEXT_MAX];

	ST_EQ(gpsd_fix_from_json("{\"class\":\"TPV\",\"device\":\"/dev/ttyUSB0\","
	    "\"mode\":3,\"time\":\"2026-12-07T10:00:00.000Z\",\"lat\":30.5728,"
	    "\"lon\":104.0668,\"altHAE\":592.3,\"altMSL\":545.4,\"eph\":17.1,"
	    "\"epx\":9.5,\"epy\":12.0}", out, sizeof(out)), DS_OK, NULL);
	STR_EQ(out, "30.5728000 104.0668000 545.4 17.1");
	STR_EQ(gpsd_fix_accuracy(out), "17.1");
	/* 2D: no altitude; accuracy from epx/epy without eph */
	ST_EQ(gpsd_fix_from_json("{\"class\":\"TPV\",\"mode\":2,"
	    "\"lat\":-33.8688197,\"lon\":151.2092955,\"altMSL\":12.0,"
	    "\"epx\":4.0,\"epy\":6.5}", out, sizeof(out)), DS_OK, NULL);
	STR_EQ(out, "-33.8688197 151.2092955 0.0 6.5");
	/* 3D without MSL: the ellipsoid height; no error estimate: 0 */
	ST_EQ(gpsd_fix_from_json("{\"class\":\"TPV\",\"mode\":3,\"lat\":1.5,"
	    "\"lon\":2.5,\"altHAE\":100.0}", out, sizeof(out)), DS_OK, NULL);
	STR_EQ(out, "1.5000000 2.5000000 100.0 0.0");
	/* ... which is not said as "accurate to 0.0 m" */
	STR_EQ(gpsd_fix_accuracy(out), NULL);
	/* a known accuracy never reads as unknown */
	ST_EQ(gpsd_fix_from_json("{\"class\":\"TPV\",\"mode\":2,\"lat\":1.5,"
	    "\"lon\":2.5,\"eph\":0.02}", out, sizeof(out)), DS_OK, NULL);
	STR_EQ(out, "1.5000000 2.5000000 0.0 0.1");
	STR_EQ(gpsd_fix_accuracy(out), "0.1");
	/* no fix yet */
	ST_EQ(gpsd_fix_from_json("{\"class\":\"TPV\",\"mode\":1}", out,
	    sizeof(out)), DS_ENOENT, NULL);
	/* a fix without a position */
	ST_EQ(gpsd_fix_from_json("{\"class\":\"TPV\",\"mode\":2}", out,
	    sizeof(out)), DS_ENOENT, NULL);
	/* not a report */
	ST_EQ(gpsd_fix_from_json("garbage", out, sizeof(out)), DS_EPARSE,
	    NULL);
	/* what it writes, val_geo reads */
	{
		struct ds_buf b;

		ds_buf_init(&b, 1024);
		INT_EQ(val_geo_norm(VAL_GEOPOINT,
		    "30.5728000 104.0668000 545.4 17.1", &b, NULL), VAL_GEO_OK);
		ds_buf_reset(&b);
	}
}

/* No gpsd on the port: DS_ENOENT at once. */
static void
test_no_gpsd(void)
{
	char out[GPSD_TEXT_MAX];

	ST_EQ(gpsd_read("127.0.0.1:9", 2000, out, sizeof(out)), DS_ENOENT,
	    NULL);
}

/*
 * A gpsd host that does not answer: a loopback listener whose one-place
 * queue is full drops further connection requests, as a host that is gone
 * does.  gpsd_watch_open gives up after GPSD_CONNECT_MS instead of waiting
 * minutes in libgps's connect; the child has 20 s.
 */
static void
test_gpsd_silent(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	char host[64], out[GPSD_TEXT_MAX];
	int l, c, status = -1;
	pid_t pid;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l == -1 || c == -1 || bind(l, (struct sockaddr *)&a, len) != 0 ||
	    listen(l, 0) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0 ||
	    connect(c, (struct sockaddr *)&a, len) != 0) {
		HARNESS_FAIL("loopback listener");
		goto out;
	}
	snprintf(host, sizeof(host), "127.0.0.1:%d", ntohs(a.sin_port));
	fflush(stdout);
	if ((pid = fork()) == 0) {
		alarm(20);
		ts_exit(gpsd_read(host, 0, out, sizeof(out)) == DS_ENOENT ?
		    0 : 3);
	}
	OK(pid > 0 && waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		HARNESS_FAIL("gpsd_read on a silent host: %s %d",
		    WIFSIGNALED(status) ? "killed by signal" : "exit",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
out:
	if (c != -1)
		close(c);
	if (l != -1)
		close(l);
}

static void
geo_ok(enum val_geo_kind k, const char *in, const char *want)
{
	struct ds_buf b;
	enum val_geo_why w;

	ds_buf_init(&b, 1 << 20);
	w = val_geo_norm(k, in, &b, NULL);
	if (w != VAL_GEO_OK || b.p == NULL || strcmp(b.p, want) != 0)
		HARNESS_FAIL("'%s': why %d, got '%s', want '%s'", in, (int)w,
		    b.p ? b.p : "", want);
	ds_buf_reset(&b);
}

static void
geo_bad(enum val_geo_kind k, const char *in, enum val_geo_why want,
    size_t point)
{
	struct ds_buf b;
	size_t pt = 99;
	enum val_geo_why w;

	ds_buf_init(&b, 1 << 20);
	w = val_geo_norm(k, in, &b, &pt);
	if (w != want || pt != point)
		HARNESS_FAIL("'%s': why %d at point %zu, want %d at %zu", in,
		    (int)w, pt, (int)want, point);
	ds_buf_reset(&b);
}

static void
test_geo_text(void)
{
	geo_ok(VAL_GEOPOINT, "30.5728 104.0668", "30.5728 104.0668");
	geo_ok(VAL_GEOPOINT, "  30.5728,  104.0668 500 5 ",
	    "30.5728 104.0668 500 5");
	geo_ok(VAL_GEOPOINT, "+30 -104", "30 -104");
	geo_ok(VAL_GEOPOINT, "-90 180", "-90 180");
	geo_bad(VAL_GEOPOINT, "90.0001 0", VAL_GEO_LAT, 1);
	geo_bad(VAL_GEOPOINT, "0 -180.5", VAL_GEO_LON, 1);
	geo_bad(VAL_GEOPOINT, "0 0 0 -1", VAL_GEO_ACC, 1);
	geo_bad(VAL_GEOPOINT, "30", VAL_GEO_FORMAT, 1);
	geo_bad(VAL_GEOPOINT, "1 2 3 4 5", VAL_GEO_FORMAT, 1);
	geo_bad(VAL_GEOPOINT, "1e1 2", VAL_GEO_FORMAT, 1);
	geo_bad(VAL_GEOPOINT, "N30 E104", VAL_GEO_FORMAT, 1);
	geo_bad(VAL_GEOPOINT, "1 2; 3 4", VAL_GEO_FORMAT, 0);
	geo_ok(VAL_GEOTRACE, "1 2; 3 4;", "1 2;3 4");
	geo_bad(VAL_GEOTRACE, "1 2", VAL_GEO_FEW, 0);
	geo_bad(VAL_GEOTRACE, "1 2;91 4", VAL_GEO_LAT, 2);
	/* an open shape is closed with its first point */
	geo_ok(VAL_GEOSHAPE, "1 2;3 4;5 6", "1 2;3 4;5 6;1 2");
	geo_ok(VAL_GEOSHAPE, "1 2;3 4;5 6;1 2", "1 2;3 4;5 6;1 2");
	geo_bad(VAL_GEOSHAPE, "1 2;3 4", VAL_GEO_FEW, 0);
	geo_bad(VAL_GEOSHAPE, "1 2;3 4;1 2", VAL_GEO_FEW, 0);
}

int
main(void)
{
	RUN(test_tpv);
	RUN(test_no_gpsd);
	RUN(test_gpsd_silent);
	RUN(test_geo_text);
	return harness_done();
}
