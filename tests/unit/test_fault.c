/* test_fault.c - fault injection into the message builders.  Each builder
 * runs with its Nth allocation failing (fault.h: buf and jansson), for
 * N = 1, 2, ... until a run sees no fault, once with only that allocation
 * failing and once with every later one failing too.  Whatever fails, a
 * build either reports the error or gives exactly the bytes of a run
 * without faults: never a truncated or malformed message.  Builders whose
 * contract leaves out unchanged on failure are held to that as well, and
 * the journal never records half a line. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cdpm.h"
#include "clock.h"
#include "fault.h"
#include "gen/coverage.h"
#include "gen/profile.h"
#include "gen/trace.h"
#include "gen/tstream.h"
#include "journal.h"
#include "script/mutate.h"

Suite *fault_suite(void); /* the generated runner's entry point */

/* Whatever a builder appends goes after this, which is there before the
 * faults start. */
#define FAULT_PREFIX "P:"

static struct trace_params trace_params_small(uint64_t seed)
{
	struct trace_params p;
	memset(&p, 0, sizeof(p));
	p.seed = seed;
	p.start_us = 1000000;
	p.duration_us = 40000;
	p.n_events = 120;
	return p;
}

/* Profiler.stop's result: a Profile (profile_write). */
static int build_profile(struct buf *out)
{
	struct profile_shape sh = {.seed = 11, .start_us = 0, .end_us = 30000,
				   .interval_us = 100, .node_count = 40};
	return profile_write(&sh, out);
}

/* Profiler.takePreciseCoverage's result array (coverage_take). */
static int build_coverage(struct buf *out)
{
	struct coverage *c;
	int rc = coverage_new(5, COVERAGE_CALL_COUNT | COVERAGE_DETAILED, NULL, &c);
	if (rc)
		return rc;
	rc = coverage_advance(c, 200000);
	if (!rc)
		rc = coverage_take(c, out);
	coverage_free(c);
	return rc;
}

/* A scripted event's params, dumped from a JSON tree (mutate_dump). */
static int build_dump(struct buf *out)
{
	json_t *v = json_pack("{s:s,s:[i,f,b,n],s:{s:s}}", "text",
			      "a string long enough to make the buffer grow more than once, "
			      "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80 and a \"quote\"",
			      "list", 42, 0.1, 1, "nested", "key",
			      "another string that takes the output past 256 bytes, the first "
			      "allocation, so that growing it is a second one");
	if (!v)
		return CDPM_ENOMEM;
	int rc = mutate_dump(out, v);
	json_decref(v);
	return rc;
}

/* Every event of a trace, pulled as Tracing.dataCollected chunks are: a
 * batch may end early (an event that does not fit), so the events are
 * joined across chunks, not the chunks compared. */
static int build_trace_chunks(struct buf *out)
{
	struct trace_params p = trace_params_small(3);
	struct trace_gen *g = trace_gen_new(&p);
	struct buf chunk;
	size_t n = 0;
	int rc = 0;
	if (!g)
		return CDPM_ENOMEM;
	buf_init(&chunk, 0);
	do {
		buf_reset(&chunk);
		buf_adds(&chunk, "{\"value\":[");
		size_t start = chunk.len;
		rc = trace_gen_next(g, &chunk, 2048, 50, &n);
		size_t end = chunk.len;
		buf_adds(&chunk, "]}");
		if (!rc)
			rc = buf_finish(&chunk);
		if (!rc && n) {
			if (out->len > strlen(FAULT_PREFIX))
				buf_addc(out, ',');
			buf_add(out, chunk.data + start, end - start);
		}
	} while (!rc && n);
	buf_clear(&chunk);
	trace_gen_free(g);
	return rc ? rc : buf_finish(out);
}

/* A ReturnAsStream trace read as IO.read does: JSON escaped into "data", or
 * gzip'd protobuf, in reads of 4 KiB. */
static int build_stream(struct buf *out, enum tstream_format f, enum tstream_compression c)
{
	struct trace_params p = trace_params_small(4);
	struct tstream *s = tstream_new_at(&p, f, c, INT64_C(1700000000000000));
	uint64_t off = 0;
	int eof = 0, rc = 0;
	if (!s)
		return CDPM_ENOMEM;
	while (!rc && !eof) {
		size_t before = out->len, n_raw = 0;
		if (f == TSTREAM_JSON) {
			rc = tstream_read_json(s, off, 4096, out, &n_raw, &eof);
		} else {
			rc = tstream_read(s, off, 4096, out, &eof);
			n_raw = out->len - before;
		}
		off += n_raw;
	}
	tstream_free(s);
	return rc ? rc : buf_finish(out);
}

static int build_stream_json(struct buf *out)
{
	return build_stream(out, TSTREAM_JSON, TSTREAM_NONE);
}

static int build_stream_proto_gzip(struct buf *out)
{
	return build_stream(out, TSTREAM_PROTO, TSTREAM_GZIP);
}

static const struct {
	const char *name;
	int (*build)(struct buf *out);
	int out_unchanged; /* the contract: on failure out holds what it held */
} builders[] = {
    {"Profiler.stop profile", build_profile, 1},
    {"precise coverage", build_coverage, 1},
    {"scripted event params", build_dump, 0},
    {"Tracing.dataCollected chunks", build_trace_chunks, 0},
    {"IO.read of a JSON trace stream", build_stream_json, 0},
    {"IO.read of a gzip'd protobuf trace stream", build_stream_proto_gzip, 0},
};

#define FAULT_MAX_N 2000

/* Builds row into out after the prefix, with allocation n failing (0:
 * none); returns how many allocations failed. */
static int run_build(int row, struct buf *out, long n, int sticky, int *rc)
{
	buf_init(out, 0);
	buf_adds(out, FAULT_PREFIX);
	fault_arm(n, sticky);
	*rc = builders[row].build(out);
	return fault_disarm();
}

/* _i: builder row * 2 + (1: every allocation after the Nth fails too). */
START_TEST(a_failed_allocation_is_reported_and_nothing_half_built_comes_out)
{
	int row = _i / 2, sticky = _i % 2;
	const char *name = builders[row].name;
	struct buf ref, out;
	int rc, reported = 0;

	run_build(row, &ref, 0, 0, &rc);
	ck_assert_msg(rc == 0 && buf_finish(&ref) == 0, "%s: %s without faults", name,
		      cdpm_strerror(rc));
	for (long n = 1;; n++) {
		ck_assert_msg(n < FAULT_MAX_N, "%s: still failing at N = %ld", name, n);
		int fired = run_build(row, &out, n, sticky, &rc);
		if (!fired) {
			/* Past the last allocation: the build is whole. */
			ck_assert_msg(rc == 0, "%s: %s with no fault", name, cdpm_strerror(rc));
			ck_assert_msg(out.len == ref.len && !memcmp(out.data, ref.data, ref.len),
				      "%s: other bytes with no fault", name);
			ck_assert_msg(reported, "%s: no fault was ever reported (N = %ld)", name,
				      n);
			buf_clear(&out);
			break;
		}
		if (rc) {
			reported++;
			ck_assert_msg(rc == CDPM_ENOMEM, "%s, N = %ld: %s", name, n,
				      cdpm_strerror(rc));
			ck_assert_msg(!builders[row].out_unchanged ||
					  (out.len == strlen(FAULT_PREFIX) &&
					   !strcmp(out.data, FAULT_PREFIX)),
				      "%s, N = %ld: out changed on failure", name, n);
		} else {
			/* A fault the builder could absorb (a batch that ends
			 * early): the result must still be exact. */
			ck_assert_msg(buf_finish(&out) == 0, "%s, N = %ld: success on a failed buffer",
				      name, n);
			ck_assert_msg(out.len == ref.len && !memcmp(out.data, ref.data, ref.len),
				      "%s, N = %ld: reported success with other bytes", name, n);
		}
		buf_clear(&out);
	}
	buf_clear(&ref);
}
END_TEST

/* ---- the journal ---- */

static const struct {
	int is_json;
	size_t fill; /* 'a's in the message, to make its line grow */
} journal_rows[] = {
    {1, 600},
    {0, 900},
};

/* The message; the caller frees it. */
static char *journal_msg(int row, size_t *len)
{
	size_t fill = journal_rows[row].fill;
	char *m = malloc(fill + 64);
	ck_assert_ptr_nonnull(m);
	int k = snprintf(m, 64, "{\"id\":1,\"method\":\"Foo.bar\",\"params\":{\"x\":\"");
	memset(m + k, 'a', fill);
	memcpy(m + k + fill, "\"}}", 4);
	*len = (size_t)k + fill + 3;
	return m;
}

/* The file's text, NUL-terminated; the caller frees it. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	struct buf b;
	char tmp[4096];
	size_t n;
	buf_init(&b, 0);
	buf_addc(&b, '\0');
	b.len = 0;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	ck_assert_int_eq(buf_finish(&b), 0);
	return buf_take(&b, NULL);
}

/* Records one message with the Nth allocation failing (0: none); *ring
 * gets the ring's text and *file the journal file's. */
static int journal_run(int row, long n, char **ring, char **file)
{
	char path[] = "/tmp/cdpm-fault-journal-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(journal_open(path), 0);
	journal_ring_limit((size_t)1 << 20);
	size_t len;
	char *msg = journal_msg(row, &len);
	fault_arm(n, 0);
	journal_in(0, msg, len, journal_rows[row].is_json, "S1", "Foo.bar");
	int fired = fault_disarm();
	free(msg);
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(journal_ring_dump(&b, NULL, 0, NULL), 0);
	buf_addc(&b, '\0');
	*ring = buf_take(&b, NULL);
	journal_close();
	journal_ring_limit(0);
	*file = slurp(path);
	unlink(path);
	return fired;
}

START_TEST(the_journal_loses_a_line_it_cannot_build_and_says_so)
{
	enum clock_mode mode = clock_mode();
	char *ref_ring, *ref_file;
	clock_set_mode(CLOCK_MODE_VIRTUAL); /* the same "t" in every run */
	journal_run(_i, 0, &ref_ring, &ref_file);
	ck_assert_str_eq(ref_ring, ref_file);
	json_t *v = json_loads(ref_file, 0, NULL);
	ck_assert_ptr_nonnull(v);
	json_decref(v);
	for (long n = 1;; n++) {
		char *ring, *file;
		ck_assert_int_lt(n, 100);
		if (!journal_run(_i, n, &ring, &file)) {
			ck_assert_str_eq(ring, ref_ring);
			ck_assert_str_eq(file, ref_file);
			free(ring);
			free(file);
			break;
		}
		/* The ring (best effort) skips the line; the file has one
		 * whole line saying a line was lost. */
		ck_assert_str_eq(ring, "");
		ck_assert_int_eq(file[strlen(file) - 1], '\n');
		ck_assert_ptr_eq(strchr(file, '\n'), file + strlen(file) - 1);
		json_error_t err;
		v = json_loads(file, 0, &err);
		ck_assert_msg(v != NULL, "N = %ld: not JSON: %s", n, file);
		ck_assert_str_eq(json_string_value(json_object_get(v, "dir")), "note");
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(v, "text")),
					     "journal lost an 'in' line: out of memory"));
		json_decref(v);
		free(ring);
		free(file);
	}
	free(ref_ring);
	free(ref_file);
	clock_set_mode(mode);
}
END_TEST

Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("builders");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, a_failed_allocation_is_reported_and_nothing_half_built_comes_out,
			    0, 2 * (int)CDPM_ARRAY_LEN(builders));
	suite_add_tcase(s, tc);
	tc = tcase_create("journal");
	tcase_add_loop_test(tc, the_journal_loses_a_line_it_cannot_build_and_says_so, 0,
			    (int)CDPM_ARRAY_LEN(journal_rows));
	suite_add_tcase(s, tc);
	return s;
}
