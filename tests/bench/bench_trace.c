/* bench_trace.c - trace delivery figures of the real server: ReportEvents
 * MB/s and events/s, IO.read streaming MB/s for JSON and gzip, the
 * server's peak RSS while a client takes a 1 GB trace in each mode, and
 * the Tracing.end -> tracingComplete latency of a 16 MB trace.  The same
 * lean client (bench_wsc.c) also runs against bench_sender, which writes
 * pre-built frames, so each rate comes with the client's own ceiling and
 * a ratio.  A standalone program run by `make bench`, not a test.
 *
 *   bench_trace --server BUILD/cdpmock --sender BUILD/bench/bench_sender [--mb 1024] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_wsc.h"

#define BENCH_BUF ((size_t)48 << 20)  /* the largest message: a 10 MiB read, escaped */
#define BENCH_READ ((size_t)10 << 20) /* Chrome's IO.read chunk */

struct result {
	double secs;	  /* from Tracing.end (or the first IO.read) to the end */
	double latency;	  /* Tracing.end sent -> tracingComplete received */
	uint64_t payload; /* message bytes: dataCollected frames / IO.read replies */
	uint64_t raw;	  /* trace bytes: event JSON / stream bytes */
	uint64_t events;
	uint64_t reads;
	int data_loss;
};

static int bench_id;

/* Sends a command and skips messages until its reply. */
static int bench_call(struct wsc *w, const char *method, const char *params)
{
	char want[32];
	const char *p;
	size_t n;
	int id = ++bench_id;
	if (wsc_sendf(w, "{\"id\":%d,\"method\":\"%s\",\"params\":%s}", id, method,
		      params ? params : "{}"))
		return -1;
	int wl = snprintf(want, sizeof(want), "{\"id\":%d,", id);
	do {
		if (wsc_next(w, &p, &n))
			return -1;
	} while (n < (size_t)wl || memcmp(p, want, (size_t)wl));
	return memmem(p, n, "\"error\"", 7) ? -1 : 0;
}

/* Events in a dataCollected array: every event starts with {"args":
 * (its keys are sorted and args always comes first). */
static uint64_t bench_count_events(const char *p, size_t n)
{
	uint64_t k = 0;
	const char *e = p + n, *q = p;
	while ((q = memmem(q, (size_t)(e - q), "{\"args\":", 8))) {
		k++;
		q += 8;
	}
	return k;
}

static int bench_prefix(const char *p, size_t n, const char *pfx)
{
	size_t l = strlen(pfx);
	return n >= l && !memcmp(p, pfx, l);
}

/* ReportEvents: start, end, and take every dataCollected frame. */
static int bench_events(struct wsc *w, struct result *r)
{
	static const char dc[] = "{\"method\":\"Tracing.dataCollected\"";
	static const char arr[] = "{\"method\":\"Tracing.dataCollected\",\"params\":{\"value\":[";
	static const char tc[] = "{\"method\":\"Tracing.tracingComplete\"";
	const char *p;
	size_t n;
	memset(r, 0, sizeof(*r));
	if (bench_call(w, "Tracing.start", NULL))
		return -1;
	double t0 = wsc_now();
	if (wsc_sendf(w, "{\"id\":%d,\"method\":\"Tracing.end\"}", ++bench_id))
		return -1;
	for (;;) {
		if (wsc_next(w, &p, &n))
			return -1;
		if (bench_prefix(p, n, dc)) {
			r->payload += n;
			/* the array: after ..."value":[ and before ]}} */
			r->raw += n - (sizeof(arr) - 1) - 3;
			r->events += bench_count_events(p, n);
		} else if (bench_prefix(p, n, tc)) {
			r->data_loss = memmem(p, n, "true", 4) != NULL;
			break;
		}
	}
	r->secs = r->latency = wsc_now() - t0;
	return 0;
}

/* Stream bytes behind IO.read's escaped "data": every escape is two
 * characters for one byte (a trace stream needs no \uXXXX there). */
static uint64_t bench_unescaped(const char *p, size_t n)
{
	uint64_t r = 0;
	for (size_t i = 0; i < n; i++, r++)
		if (p[i] == '\\')
			i++;
	return r;
}

/* Sends IO.read and returns the reply's data in place; *eof from it. */
static int bench_read(struct wsc *w, const char *params, const char **d, size_t *dl, int *eof,
		      struct result *r)
{
	const char *p;
	size_t n;
	char want[32];
	int id = ++bench_id;
	int wl = snprintf(want, sizeof(want), "{\"id\":%d,", id);
	if (wsc_sendf(w, "{\"id\":%d,\"method\":\"IO.read\",\"params\":%s}", id, params))
		return -1;
	do {
		if (wsc_next(w, &p, &n))
			return -1;
	} while (n < (size_t)wl || memcmp(p, want, (size_t)wl));
	r->payload += n;
	r->reads++;
	*d = memmem(p, n < 128 ? n : 128, "\"data\":\"", 8);
	if (!*d || n < 16)
		return -1;
	*d += 8;
	/* The reply ends with ","eof":false}} or ","eof":true}}. */
	*eof = !memcmp(p + n - 6, "true}}", 6);
	*dl = (size_t)(p + n - (*eof ? 14 : 15) - *d);
	return 0;
}

/* ReturnAsStream: start, end, tracingComplete, then IO.read to eof. */
static int bench_stream(struct wsc *w, int gzip, struct result *r)
{
	static const char tc[] = "{\"method\":\"Tracing.tracingComplete\"";
	const char *p;
	size_t n;
	char handle[32];
	memset(r, 0, sizeof(*r));
	if (bench_call(w, "Tracing.start",
		       gzip ? "{\"transferMode\":\"ReturnAsStream\",\"streamCompression\":\"gzip\"}"
			    : "{\"transferMode\":\"ReturnAsStream\"}"))
		return -1;
	double t0 = wsc_now();
	if (wsc_sendf(w, "{\"id\":%d,\"method\":\"Tracing.end\"}", ++bench_id))
		return -1;
	do {
		if (wsc_next(w, &p, &n))
			return -1;
	} while (!bench_prefix(p, n, tc));
	r->latency = wsc_now() - t0;
	const char *s = memmem(p, n, "\"stream\":\"", 10);
	if (!s)
		return -1;
	snprintf(handle, sizeof(handle), "%.*s", (int)strcspn(s + 10, "\""), s + 10);
	/* The client stays lean: a read that is followed by another carried
	 * exactly the 10 MiB asked for, so only the last one is measured,
	 * by reading it again (by offset) after the clock stops. */
	char params[96];
	const char *d;
	size_t dl;
	int eof;
	uint64_t full = 0;
	size_t last = 0;
	snprintf(params, sizeof(params), "{\"handle\":\"%s\"}", handle);
	t0 = wsc_now();
	for (;;) {
		if (bench_read(w, params, &d, &dl, &eof, r))
			return -1;
		if (eof)
			break;
		full += last ? 1 : 0;
		last = dl;
	}
	r->secs = wsc_now() - t0;
	r->raw = full * BENCH_READ;
	if (last) {
		snprintf(params, sizeof(params), "{\"handle\":\"%s\",\"offset\":%llu,\"size\":%zu}",
			 handle, (unsigned long long)r->raw, BENCH_READ);
		if (bench_read(w, params, &d, &dl, &eof, r) || !dl)
			return -1;
		if (gzip)
			r->raw += dl / 4 * 3 - (d[dl - 1] == '=') - (dl > 1 && d[dl - 2] == '=');
		else
			r->raw += bench_unescaped(d, dl);
	}
	char close_params[64];
	snprintf(close_params, sizeof(close_params), "{\"handle\":\"%s\"}", handle);
	return bench_call(w, "IO.close", close_params);
}

/* A server with a trace of `events` events, and a client on it. */
static int bench_server(const char *bin, uint64_t events, struct wsc_proc *pr, struct wsc *w)
{
	static char env[64];
	char *argv[] = {(char *)bin, "--remote-debugging-port=0", NULL};
	char *envp[] = {env, NULL};
	snprintf(env, sizeof(env), "CDPM_TRACE_EVENTS=%llu", (unsigned long long)events);
	if (wsc_spawn(pr, argv, envp) || wsc_connect(w, pr->port, pr->path, BENCH_BUF)) {
		fprintf(stderr, "bench_trace: cannot start %s\n", bin);
		return -1;
	}
	return 0;
}

static void bench_done(struct wsc_proc *pr, struct wsc *w, long *hwm_kb)
{
	if (hwm_kb)
		*hwm_kb = wsc_hwm_kb(pr->pid);
	wsc_close(w);
	wsc_stop(pr);
}

static double mbps(uint64_t bytes, double s)
{
	return s > 0 ? (double)bytes / 1e6 / s : 0;
}

static int bench_fail(const char *what)
{
	fprintf(stderr, "bench_trace: %s failed\n", what);
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The client against bench_sender: the ceilings. */
static int bench_ceilings(const char *sender, double mb, struct result *ev, struct result *js,
			  struct result *gz)
{
	struct wsc_proc pr;
	struct wsc w;
	char arg[32];
	snprintf(arg, sizeof(arg), "%g", mb);
	char *argv[] = {(char *)sender, arg, NULL};
	if (wsc_spawn(&pr, argv, NULL)) {
		fprintf(stderr, "bench_trace: cannot start %s\n", sender);
		return -1;
	}
	int rc = 0;
	struct result *rs[3] = {ev, js, gz};
	for (int i = 0; i < 3 && !rc; i++) {
		rc = wsc_connect(&w, pr.port, "/", BENCH_BUF);
		if (!rc)
			rc = i == 0 ? bench_events(&w, rs[i]) : bench_stream(&w, i == 2, rs[i]);
		wsc_close(&w);
	}
	wsc_stop(&pr);
	return rc;
}

int main(int argc, char **argv)
{
	const char *server = "build/cdpmock", *sender = "build/bench/bench_sender";
	double mb = 1024;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--server"))
			server = argv[i + 1];
		else if (!strcmp(argv[i], "--sender"))
			sender = argv[i + 1];
		else if (!strcmp(argv[i], "--mb"))
			mb = atof(argv[i + 1]);
	}
	struct wsc_proc pr;
	struct wsc w;
	struct result cal, ev, js, gz, lat, c_ev, c_js, c_gz;
	long hwm_ev = -1, hwm_js = -1, hwm_gz = -1;

	/* Calibration: the mean event size, to size the traces in bytes. */
	if (bench_server(server, 100000, &pr, &w) || bench_events(&w, &cal))
		return bench_fail("calibration");
	bench_done(&pr, &w, NULL);
	double bpe = (double)cal.raw / (double)cal.events;
	uint64_t n_big = (uint64_t)(mb * 1e6 / bpe);
	uint64_t n_16 = (uint64_t)(16e6 / bpe);

	/* BENCH_ONLY=events|json|gzip: that one delivery, once, as "MODE MB/s
	 * peak-RSS-kB" (for pairing two servers run after run). */
	const char *only = getenv("BENCH_ONLY");
	if (only) {
		int mode = !strcmp(only, "json") ? 1 : !strcmp(only, "gzip") ? 2 : 0;
		long hwm = 0;
		if (bench_server(server, n_big, &pr, &w) ||
		    (mode ? bench_stream(&w, mode == 2, mode == 2 ? &gz : &js) : bench_events(&w, &ev)))
			return bench_fail(only);
		bench_done(&pr, &w, &hwm);
		struct result *r = mode == 2 ? &gz : mode ? &js : &ev;
		printf("%s %.0f %ld\n", only, mbps(r->raw, r->secs), hwm);
		return 0;
	}

	/* Tracing.end -> tracingComplete for a 16 MB trace (median of 5). */
	double lats[5], slat[5];
	if (bench_server(server, n_16, &pr, &w))
		return bench_fail("16 MB server");
	for (int i = 0; i < 5; i++) {
		if (bench_events(&w, &lat) || bench_stream(&w, 0, &js))
			return bench_fail("16 MB traces");
		lats[i] = lat.latency;
		slat[i] = js.latency;
	}
	bench_done(&pr, &w, NULL);
	qsort(lats, 5, sizeof(double), cmp_double);
	qsort(slat, 5, sizeof(double), cmp_double);

	if (bench_server(server, n_big, &pr, &w) || bench_events(&w, &ev))
		return bench_fail("ReportEvents");
	bench_done(&pr, &w, &hwm_ev);
	if (bench_server(server, n_big, &pr, &w) || bench_stream(&w, 0, &js))
		return bench_fail("IO.read json");
	bench_done(&pr, &w, &hwm_js);
	if (bench_server(server, n_big, &pr, &w) || bench_stream(&w, 1, &gz))
		return bench_fail("IO.read gzip");
	bench_done(&pr, &w, &hwm_gz);
	if (bench_ceilings(sender, mb, &c_ev, &c_js, &c_gz))
		return bench_fail("bench_sender (the ceilings)");

	printf("trace delivery (cdpmock vs bench_sender, same client; mean event %.0f B)\n", bpe);
	printf("  %-26s %10s %12s %10s %8s %10s\n", "mode", "trace MB", "MB/s", "ceiling", "ratio",
	       "peak RSS");
	printf("  %-26s %10.0f %12.0f %10.0f %7.0f%% %7ld MB\n", "ReportEvents (events JSON)",
	       (double)ev.raw / 1e6, mbps(ev.raw, ev.secs), mbps(c_ev.raw, c_ev.secs),
	       100 * mbps(ev.raw, ev.secs) / mbps(c_ev.raw, c_ev.secs), hwm_ev / 1024);
	printf("  %-26s %10.0f %12.0f %10.0f %7.0f%% %7ld MB\n", "IO.read json (stream bytes)",
	       (double)js.raw / 1e6, mbps(js.raw, js.secs), mbps(c_js.raw, c_js.secs),
	       100 * mbps(js.raw, js.secs) / mbps(c_js.raw, c_js.secs), hwm_js / 1024);
	printf("  %-26s %10.0f %12.0f %10.0f %7.0f%% %7ld MB\n", "IO.read gzip (gzip bytes)",
	       (double)gz.raw / 1e6, mbps(gz.raw, gz.secs), mbps(c_gz.raw, c_gz.secs),
	       100 * mbps(gz.raw, gz.secs) / mbps(c_gz.raw, c_gz.secs), hwm_gz / 1024);
	printf("  ReportEvents: %.2f M events/s (%llu events, %.2f s; ceiling %.2f M events/s)\n",
	       (double)ev.events / 1e6 / ev.secs, (unsigned long long)ev.events, ev.secs,
	       (double)c_ev.events / 1e6 / c_ev.secs);
	printf("  gzip: %.0f MB of trace JSON in %.2f s = %.0f MB/s of JSON before compression\n",
	       (double)n_big * bpe / 1e6, gz.secs, (double)n_big * bpe / 1e6 / gz.secs);
	printf("  Tracing.end -> tracingComplete, 16 MB trace: ReportEvents %.1f ms (median of 5, "
	       "min %.1f), ReturnAsStream %.2f ms\n",
	       lats[2] * 1e3, lats[0] * 1e3, slat[2] * 1e3);
	printf("  targets: >= 500 MB/s, < 64 MB peak RSS: %s\n",
	       mbps(ev.raw, ev.secs) >= 500 && mbps(js.raw, js.secs) >= 500 && hwm_ev < 65536 &&
		       hwm_js < 65536 && hwm_gz < 65536
		   ? "met"
		   : "NOT met");
	return 0;
}
