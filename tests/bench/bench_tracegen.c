/* bench_tracegen.c - throughput of the trace generator and the
 * ReturnAsStream encoders on one core: MB/s and events/s for ReportEvents
 * batches, and for JSON (raw and escaped for IO.read's "data" string),
 * gzip, proto and proto+gzip streams read in 10 MiB IO.read chunks; plus
 * the peak RSS, which must stay flat (a few MB)
 * whatever the trace size.  A standalone program, not a unit test.
 *
 * Build and run (until the Makefile's bench target picks it up):
 *   cc -O2 -g -std=c11 -D_GNU_SOURCE -Ilib -Iserver \
 *      tests/bench/bench_tracegen.c server/gen/trace.c server/gen/tracebody.c \
 *      server/gen/tracehead.c server/gen/tracecat.c server/gen/traceproc.c \
 *      server/gen/tracetpl.c server/gen/traceproto.c server/gen/tstream.c \
 *      server/gen/jsonesc.c \
 *      server/clock.c lib/buf.c lib/rng.c lib/cdpm.c -lz -lm \
 *      -o build-trace/bench_tracegen
 *   build-trace/bench_tracegen [MB of JSON, default 1024]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "buf.h"
#include "gen/trace.h"
#include "gen/tstream.h"

#define IO_CHUNK ((size_t)10 << 20) /* Chrome's default IO.read size */

/* CPU time of this (single-threaded) process gives MB/s per core even on
 * a busy machine; wall time is shown beside it. */
static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct stamp {
	double cpu, wall;
};

static struct stamp now_s(void)
{
	struct stamp t = {clock_s(CLOCK_PROCESS_CPUTIME_ID), clock_s(CLOCK_MONOTONIC)};
	return t;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void report(const char *what, uint64_t bytes, uint64_t events, struct stamp t0)
{
	struct stamp t1 = now_s();
	double cpu = t1.cpu - t0.cpu, wall = t1.wall - t0.wall;

	printf("%-27s %7.1f MB: %7.1f MB/s CPU (%7.1f wall), %5.2f M events/s CPU, "
	       "peak RSS %ld kB\n",
	       what, (double)bytes / 1e6, (double)bytes / 1e6 / cpu, (double)bytes / 1e6 / wall,
	       (double)events / 1e6 / cpu, peak_rss_kb());
}

/* ReportEvents: Tracing.dataCollected batches of <= 64 KiB / 500 events. */
static int bench_batches(const struct trace_params *p)
{
	struct trace_gen *g = trace_gen_new(p);
	struct buf b;
	uint64_t bytes = 0, events = 0;
	size_t n;
	struct stamp t0;

	if (!g)
		return 1;
	buf_init(&b, 0);
	t0 = now_s();
	while (!trace_gen_next(g, &b, 65536, 500, &n) && n) {
		bytes += b.len;
		events += n;
		buf_reset(&b);
	}
	report("json batches (64 KiB/500)", bytes, events, t0);
	t0 = now_s();
	trace_gen_seek(g, 0);
	bytes = events = 0;
	while (!trace_gen_next(g, &b, (size_t)1 << 20, SIZE_MAX, &n) && n) {
		bytes += b.len;
		events += n;
		buf_reset(&b);
	}
	report("json batches (1 MiB)", bytes, events, t0);
	buf_clear(&b);
	trace_gen_free(g);
	return 0;
}

static int bench_stream(const char *what, const struct trace_params *p, enum tstream_format f,
			enum tstream_compression c)
{
	struct tstream *s = tstream_new(p, f, c);
	struct buf b;
	uint64_t off = 0;
	int eof = 0;
	struct stamp t0;

	if (!s)
		return 1;
	buf_init(&b, 0);
	t0 = now_s();
	for (;;) {
		buf_reset(&b);
		if (tstream_read(s, off, IO_CHUNK, &b, &eof))
			return 1;
		if (eof)
			break;
		off += b.len;
	}
	report(what, off, trace_gen_count(tstream_gen(s)), t0);
	buf_clear(&b);
	tstream_free(s);
	return 0;
}

/* IO.read of a plain JSON stream: the bytes escaped for the "data" string. */
static int bench_escaped(const struct trace_params *p)
{
	struct tstream *s = tstream_new(p, TSTREAM_JSON, TSTREAM_NONE);
	struct buf b;
	uint64_t off = 0;
	size_t n;
	int eof = 0;
	struct stamp t0;

	if (!s)
		return 1;
	buf_init(&b, 0);
	t0 = now_s();
	for (;;) {
		buf_reset(&b);
		if (tstream_read_json(s, off, IO_CHUNK, &b, &n, &eof))
			return 1;
		if (eof)
			break;
		off += n;
	}
	report("stream json, escaped (raw)", off, trace_gen_count(tstream_gen(s)), t0);
	buf_clear(&b);
	tstream_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	double mb = argc > 1 ? atof(argv[1]) : 1024;
	struct trace_params p = {0};
	struct trace_gen *probe;
	int rc = 0;

	p.seed = 1;
	p.start_us = 585031000;
	p.duration_us = 60 * 1000000LL;
	p.n_events = 100000;
	probe = trace_gen_new(&p);
	if (!probe)
		return 1;
	/* Size the trace from the mean event size. */
	p.n_events = (uint64_t)(mb * 1e6 / trace_gen_avg_bytes(probe));
	trace_gen_free(probe);
	printf("%llu events (~%.0f MB of JSON)\n", (unsigned long long)p.n_events, mb);
	rc |= bench_batches(&p);
	rc |= bench_stream("stream json", &p, TSTREAM_JSON, TSTREAM_NONE);
	rc |= bench_escaped(&p);
	rc |= bench_stream("stream json+gzip (output)", &p, TSTREAM_JSON, TSTREAM_GZIP);
	rc |= bench_stream("stream proto", &p, TSTREAM_PROTO, TSTREAM_NONE);
	rc |= bench_stream("stream proto+gzip (output)", &p, TSTREAM_PROTO, TSTREAM_GZIP);
	return rc;
}
