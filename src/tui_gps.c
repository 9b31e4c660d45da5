/* doorstep: a GPS receiver in the interview, through gpsd. */
/*
 * A receiver is optional (gpsd.h): without gpsd, without a receiver or
 * without a fix the worker types the location, and nothing waits long.
 *
 * Start location: when a new record of a form with `start-geopoint`
 * opens, a watch on gpsd opens too (a refused loopback connection costs
 * nothing).  Between keys the main loop looks at it without waiting
 * (tui_gps_idle, every TUI_GPS_TICK_MS while it is open); the first fix
 * becomes the record's start location, as Collect's does when its
 * receiver answers after the form opened.  The watch ends then, when
 * the record closes, or GPSD_START_MS after the start; without a fix the
 * start location stays empty and nothing is said.
 *
 * The GPS key (F12, Ctrl-W) on a location question reads a fix now,
 * waiting up to GPSD_KEY_MS with the status line saying so; Esc stops.
 */
#include "tui_int.h"

#include <stdio.h>
#include <string.h>

#include "gpsd.h"
#include "i18n.h"
#include "tui_iv.h"
#include "util.h"

static struct {
	struct gpsd_watch	*w;
	int64_t			 until;	/* ds_now_ms() when it gives up */
} G;

void
tui_gps_start(void)
{
	tui_gps_stop();
	if (gpsd_watch_open(NULL, &G.w) == DS_OK)
		G.until = ds_now_ms() + GPSD_START_MS;
}

void
tui_gps_stop(void)
{
	gpsd_watch_close(G.w);
	G.w = NULL;
}

int
tui_gps_pending(void)
{
	return G.w != NULL;
}

int
tui_gps_idle(void)
{
	char fix[GPSD_TEXT_MAX];
	const char *acc;
	enum ds_status st;

	if (G.w == NULL)
		return 0;
	st = gpsd_watch_poll(G.w, 0, fix, sizeof(fix));
	if (st == DS_OK) {
		tui_gps_stop();
		if (tui_iv_start_geopoint(fix) != 0)
			return 1;
		if ((acc = gpsd_fix_accuracy(fix)) != NULL)
			tui_status(TUI_C_OK, _("Start location from the GPS "
			    "receiver, accurate to %s m."), acc);
		else
			tui_status(TUI_C_OK, "%s", _("Start location from "
			    "the GPS receiver."));
		return 1;
	}
	if (st != DS_ENOENT || ds_now_ms() >= G.until)
		tui_gps_stop();
	return 0;
}

enum ds_status
tui_gps_read(char *out, size_t n)
{
	struct gpsd_watch *w;
	enum ds_status st;
	int64_t end = ds_now_ms() + GPSD_KEY_MS;

	if (gpsd_watch_open(NULL, &w) != DS_OK)
		return DS_ENOENT;
	tui_status(TUI_C_HINT, "%s", _("Reading the GPS receiver (Esc "
	    "stops)..."));
	tui_draw();
	for (;;) {
		st = gpsd_watch_poll(w, TUI_GPS_TICK_MS, out, n);
		if (st != DS_ENOENT)
			break;
		if (tui_poll(0) == TUI_REQ_CANCEL) {
			st = DS_ECANCEL;
			break;
		}
		if (ds_now_ms() >= end)
			break;
	}
	gpsd_watch_close(w);
	tui_status(TUI_C_NORMAL, "%s", "");
	return st == DS_OK || st == DS_ECANCEL ? st : DS_ENOENT;
}
