/* test_tstream.c - ReturnAsStream bytes (server/gen/tstream.c and
 * traceproto.c): the JSON layout, gzip that inflates to the JSON, Perfetto
 * protobuf that protoc accepts, and reads at any offset. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "cdpm.h"
#include "gen/tstream.h"

#define START_US INT64_C(585031000)
/* 2026-11-21 19:53:21 UTC, the reference trace's capture time. */
#define WALL_US INT64_C(1795290801000000)

/* For hot loops: Check's ck_assert_* records every passing check (a
 * write per call), which makes per-byte or per-event checks crawl under
 * valgrind; REQUIRE only calls into Check on failure. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #cond);              \
	} while (0)
#define REQUIRE_MSG(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

static struct trace_params params(uint64_t seed, int64_t dur_us)
{
	struct trace_params p;
	memset(&p, 0, sizeof(p));
	p.seed = seed;
	p.start_us = START_US;
	p.duration_us = dur_us;
	return p;
}

/* The whole stream, read in chunks of the given size. */
static void read_all(struct tstream *s, size_t chunk, struct buf *out)
{
	uint64_t off = 0;
	int eof = 0;

	buf_init(out, 0);
	for (;;) {
		size_t before = out->len;
		ck_assert_int_eq(tstream_read(s, off, chunk, out, &eof), 0);
		if (eof) {
			ck_assert_uint_eq(out->len, before);
			break;
		}
		/* Chrome: only the empty read at the end says eof. */
		ck_assert_uint_gt(out->len, before);
		ck_assert_uint_le(out->len - before, chunk);
		off += out->len - before;
	}
}

static void stream_bytes(const struct trace_params *p, enum tstream_format f,
			 enum tstream_compression c, size_t chunk, struct buf *out)
{
	struct tstream *s = tstream_new_at(p, f, c, WALL_US);
	ck_assert_ptr_nonnull(s);
	read_all(s, chunk, out);
	tstream_free(s);
}

static void gunzip(const struct buf *in, struct buf *out)
{
	z_stream z;
	char tmp[65536];
	int zr;

	memset(&z, 0, sizeof(z));
	buf_init(out, 0);
	ck_assert_int_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (Bytef *)in->data;
	z.avail_in = (uInt)in->len;
	do {
		z.next_out = (Bytef *)tmp;
		z.avail_out = sizeof(tmp);
		zr = inflate(&z, Z_NO_FLUSH);
		ck_assert_msg(zr == Z_OK || zr == Z_STREAM_END, "inflate: %d", zr);
		buf_add(out, tmp, sizeof(tmp) - z.avail_out);
	} while (zr != Z_STREAM_END);
	ck_assert_uint_eq(z.avail_in, 0); /* one member, nothing after it */
	inflateEnd(&z);
}

/* CHROMIUM.md §4.5: Chrome prints it with "%u-%u-%u %d:%d:%d". */
START_TEST(capture_datetime_is_not_zero_padded)
{
	/* 2 Dec 2026 08:05:09 UTC and 1 Jan 2027 00:00:00 UTC */
	static const struct {
		int64_t wall_us;
		const char *want;
	} cases[] = {{INT64_C(1796198709000000), "\"trace-capture-datetime\":\"2026-12-2 8:5:9\""},
		     {INT64_C(1798761600000000), "\"trace-capture-datetime\":\"2027-1-1 0:0:0\""}};
	struct trace_params p = params(1, 1000);
	for (size_t i = 0; i < CDPM_ARRAY_LEN(cases); i++) {
		struct tstream *s = tstream_new_at(&p, TSTREAM_JSON, TSTREAM_NONE, cases[i].wall_us);
		struct buf b;
		ck_assert_ptr_nonnull(s);
		buf_init(&b, 0);
		read_all(s, 1 << 20, &b);
		ck_assert_msg(strstr(b.data, cases[i].want), "no %s", cases[i].want);
		buf_clear(&b);
		tstream_free(s);
	}
}
END_TEST

START_TEST(json_stream_has_chromes_layout)
{
	static const char *const meta_keys[] = {"clock-domain",
						"command_line",
						"cpu-brand",
						"gpu-venid",
						"os-name",
						"physical-memory",
						"revision",
						"trace-capture-datetime",
						"trace_processor_stats",
						"user-agent"};
	struct trace_params p = params(1, 500000);
	struct buf b;
	json_error_t err;
	json_t *root, *meta, *evs;
	const char *k, *prev = NULL;
	json_t *x;

	stream_bytes(&p, TSTREAM_JSON, TSTREAM_NONE, 10485760, &b);
	ck_assert_int_eq(strncmp(b.data, "{\"traceEvents\":[\n{\"args\":", 25), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "},\n{\"args\":"));
	ck_assert_ptr_nonnull(strstr(b.data, "}],\"metadata\":\n{\"clock-domain\":"));
	ck_assert_int_eq(strcmp(b.data + b.len - 2, "}}"), 0);
	for (size_t i = 0; i < b.len; i++)
		REQUIRE((unsigned char)b.data[i] < 0x80);
	root = json_loadb(b.data, b.len, 0, &err);
	ck_assert_msg(root != NULL, "invalid JSON: %s", err.text);
	evs = json_object_get(root, "traceEvents");
	meta = json_object_get(root, "metadata");
	ck_assert_uint_gt(json_array_size(evs), 5000);
	ck_assert(json_is_object(meta));
	json_object_foreach(meta, k, x)
	{
		if (prev)
			ck_assert_msg(strcmp(prev, k) < 0, "metadata keys %s, %s", prev, k);
		prev = k;
	}
	for (size_t i = 0; i < CDPM_ARRAY_LEN(meta_keys); i++)
		ck_assert_msg(json_object_get(meta, meta_keys[i]) != NULL, "%s", meta_keys[i]);
	ck_assert_str_eq(json_string_value(json_object_get(meta, "clock-domain")),
			 "LINUX_CLOCK_MONOTONIC");
	ck_assert_str_eq(json_string_value(json_object_get(meta, "trace-capture-datetime")),
			 "2026-11-21 19:53:21");
	ck_assert(json_is_object(json_object_get(meta, "trace_processor_stats")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(evs, 0), "name")),
			 "thread_name");
	json_decref(root);
	buf_clear(&b);
}
END_TEST

START_TEST(json_stream_events_are_the_generators)
{
	struct trace_params p = params(2, 100000);
	struct trace_gen *g = trace_gen_new(&p);
	struct buf s, e;
	size_t n;

	stream_bytes(&p, TSTREAM_JSON, TSTREAM_NONE, 4096, &s);
	buf_init(&e, 0);
	buf_adds(&e, "{\"traceEvents\":[\n");
	ck_assert_int_eq(trace_gen_next_sep(g, &e, SIZE_MAX, SIZE_MAX, ",\n", 2, &n), 0);
	buf_adds(&e, "],\"metadata\":\n{");
	ck_assert_uint_gt(s.len, e.len);
	ck_assert_mem_eq(s.data, e.data, e.len);
	buf_clear(&s);
	buf_clear(&e);
	trace_gen_free(g);
}
END_TEST

START_TEST(same_params_same_stream)
{
	struct trace_params p = params(3, 200000);
	struct buf a, b;

	stream_bytes(&p, TSTREAM_JSON, TSTREAM_GZIP, 65536, &a);
	stream_bytes(&p, TSTREAM_JSON, TSTREAM_GZIP, 777, &b);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.data, b.data, a.len);
	buf_clear(&a);
	buf_clear(&b);
}
END_TEST

START_TEST(gzip_stream_inflates_to_the_json_stream)
{
	static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	struct trace_params p = params(4, 500000);
	struct buf json, gz, plain;

	stream_bytes(&p, TSTREAM_JSON, TSTREAM_NONE, 10485760, &json);
	stream_bytes(&p, TSTREAM_JSON, TSTREAM_GZIP, 10485760, &gz);
	ck_assert_mem_eq(gz.data, header, sizeof(header));
	ck_assert_uint_lt(gz.len, json.len / 3);
	gunzip(&gz, &plain);
	ck_assert_uint_eq(plain.len, json.len);
	ck_assert_mem_eq(plain.data, json.data, json.len);
	buf_clear(&json);
	buf_clear(&gz);
	buf_clear(&plain);
}
END_TEST

/* Runs protoc --decode_raw on the bytes; the output text goes to text. */
static int protoc_decode(const struct buf *pb, struct buf *text)
{
	char path[] = "/tmp/cdpm-tstream-XXXXXX", cmd[128], tmp[4096];
	int fd = mkstemp(path), status;
	FILE *f;
	size_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, pb->data, pb->len), (ssize_t)pb->len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "protoc --decode_raw < %s 2>&1", path);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	buf_init(text, 0);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(text, tmp, n);
	status = pclose(f);
	unlink(path);
	/* A missing protoc (exit 127) fails the test rather than skipping. */
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(proto_stream_decodes_with_protoc)
{
	const char *incl[] = {"toplevel",
			      "toplevel.flow",
			      "resources",
			      "blink.user_timing",
			      "disabled-by-default-memory-infra",
			      "cc"};
	struct trace_sync syncs[] = {{"sync-1", START_US + 1000}};
	struct trace_params p = params(5, 300000);
	struct buf pb, text;
	int rc;

	p.included = incl;
	p.n_included = CDPM_ARRAY_LEN(incl);
	p.syncs = syncs;
	p.n_syncs = 1;
	p.periodic_dump_ms = 100;
	stream_bytes(&p, TSTREAM_PROTO, TSTREAM_NONE, 65536, &pb);
	/* Trace.packet (field 1, length-delimited), then a ClockSnapshot. */
	ck_assert_uint_eq((unsigned char)pb.data[0], 0x0a);
	rc = protoc_decode(&pb, &text);
	ck_assert_msg(rc == 0, "protoc --decode_raw failed (%d): %.300s", rc, text.data);
	ck_assert_ptr_nonnull(strstr(text.data, "\"ThreadControllerImpl::RunTask\""));
	ck_assert_ptr_nonnull(strstr(text.data, "\"CrBrowserMain\""));
	ck_assert_ptr_nonnull(strstr(text.data, "\"Browser\""));
	ck_assert_ptr_nonnull(strstr(text.data, "\"sync-1\""));
	ck_assert_ptr_nonnull(strstr(text.data, "\"periodic_interval\""));
	ck_assert_ptr_nonnull(strstr(text.data, "\"System.Pressure.CPU\""));
	buf_clear(&text);
	buf_clear(&pb);
}
END_TEST

START_TEST(proto_gzip_inflates_to_the_proto_stream)
{
	struct trace_params p = params(6, 300000);
	struct buf pb, gz, plain;

	stream_bytes(&p, TSTREAM_PROTO, TSTREAM_NONE, 10485760, &pb);
	stream_bytes(&p, TSTREAM_PROTO, TSTREAM_GZIP, 10485760, &gz);
	gunzip(&gz, &plain);
	ck_assert_uint_eq(plain.len, pb.len);
	ck_assert_mem_eq(plain.data, pb.data, pb.len);
	buf_clear(&pb);
	buf_clear(&gz);
	buf_clear(&plain);
}
END_TEST

static const struct {
	enum tstream_format f;
	enum tstream_compression c;
} combos[] = {
    {TSTREAM_JSON, TSTREAM_NONE},
    {TSTREAM_JSON, TSTREAM_GZIP},
    {TSTREAM_PROTO, TSTREAM_NONE},
    {TSTREAM_PROTO, TSTREAM_GZIP},
};

START_TEST(reads_at_random_offsets_equal_slices)
{
	struct trace_params p = params(7, 200000);
	struct tstream *s;
	struct buf full, b;
	uint64_t r = 0x1234567 + (uint64_t)_i, off = 0;
	int eof;

	stream_bytes(&p, combos[_i].f, combos[_i].c, 65536, &full);
	s = tstream_new_at(&p, combos[_i].f, combos[_i].c, WALL_US);
	buf_init(&b, 0);
	/* Mostly forward with gaps, sometimes anywhere (a rewind), sometimes
	 * at the very end; each jump back regenerates from the start. */
	for (int k = 0; k < 80; k++) {
		size_t size;
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		if (k % 8 == 7)
			off = (r >> 20) % (full.len + 100);
		else
			off += (r >> 40) % 20000;
		size = k % 5 == 0 ? 200000 : 1 + (size_t)((r >> 8) % 5000);
		if (k % 13 == 12)
			off = full.len - (uint64_t)(k % 3); /* the very end */
		buf_reset(&b);
		ck_assert_int_eq(tstream_read(s, off, size, &b, &eof), 0);
		if (off >= full.len) {
			ck_assert(eof);
			ck_assert_uint_eq(b.len, 0);
			continue;
		}
		ck_assert(!eof);
		size_t want = full.len - off < size ? (size_t)(full.len - off) : size;
		ck_assert_uint_eq(b.len, want);
		ck_assert_mem_eq(b.data, full.data + off, want);
		if (off + size >= full.len)
			off = 0;
	}
	/* Byte-sized reads through the first few kB, as a size-1 IO.read. */
	for (uint64_t at = 0; at < 3000; at++) {
		buf_reset(&b);
		REQUIRE(tstream_read(s, at, 1, &b, &eof) == 0);
		REQUIRE(b.len == 1 && b.data[0] == full.data[at]);
	}
	buf_clear(&b);
	buf_clear(&full);
	tstream_free(s);
}
END_TEST

START_TEST(stream_carries_the_data_loss_decision)
{
	struct trace_params p = params(8, 1500000);
	struct tstream *s;
	struct trace_loss loss;
	struct buf b;
	json_error_t err;
	json_t *root;

	p.buffer_kb = 64;
	s = tstream_new_at(&p, TSTREAM_JSON, TSTREAM_NONE, WALL_US);
	trace_gen_loss(tstream_gen(s), &loss);
	ck_assert(loss.data_loss);
	read_all(s, 10485760, &b);
	root = json_loadb(b.data, b.len, 0, &err);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "traceEvents")), loss.kept);
	json_decref(root);
	buf_clear(&b);
	tstream_free(s);
}
END_TEST

START_TEST(small_reads_generate_only_what_they_need)
{
	struct trace_params p = params(10, 60000000);
	struct buf b;
	int eof;

	p.n_events = 10000000; /* a 2 GB trace */
	for (size_t i = 0; i < CDPM_ARRAY_LEN(combos); i++) {
		struct tstream *s = tstream_new_at(&p, combos[i].f, combos[i].c, WALL_US);
		buf_init(&b, 0);
		ck_assert_int_eq(tstream_read(s, 0, 100, &b, &eof), 0);
		ck_assert_uint_eq(b.len, 100);
		ck_assert_int_eq(tstream_read(s, 5000, 100, &b, &eof), 0);
		ck_assert_uint_eq(b.len, 200);
		/* A few chunks of look-ahead at most, never the whole trace. */
		ck_assert_uint_lt(trace_gen_tell(tstream_gen(s)), 20000);
		buf_clear(&b);
		tstream_free(s);
	}
}
END_TEST

START_TEST(escaped_reads_decode_to_the_raw_bytes)
{
	struct trace_params p = params(11, 100000);
	struct tstream *s = tstream_new_at(&p, TSTREAM_JSON, TSTREAM_NONE, WALL_US);
	struct buf full, esc;
	uint64_t off = 0;
	size_t n_raw;
	int eof;

	stream_bytes(&p, TSTREAM_JSON, TSTREAM_NONE, 65536, &full);
	buf_init(&esc, 0);
	buf_addc(&esc, '"');
	for (size_t size = 1;; size = size * 3 + 7) {
		ck_assert_int_eq(tstream_read_json(s, off, size, &esc, &n_raw, &eof), 0);
		if (eof)
			break;
		ck_assert_uint_gt(n_raw, 0);
		ck_assert_uint_le(n_raw, size);
		off += n_raw;
	}
	ck_assert_uint_eq(off, full.len);
	buf_addc(&esc, '"');
	json_error_t err;
	json_t *str = json_loadb(esc.data, esc.len, JSON_DECODE_ANY, &err);
	ck_assert_msg(str != NULL, "bad escaping: %s", err.text);
	ck_assert_uint_eq(json_string_length(str), full.len);
	ck_assert_mem_eq(json_string_value(str), full.data, full.len);
	/* The separators and quotes are escaped, nothing else grows. */
	ck_assert_ptr_nonnull(strstr(esc.data, "[\\n{\\\"args\\\":"));
	json_decref(str);
	buf_clear(&esc);
	buf_clear(&full);
	tstream_free(s);
}
END_TEST

START_TEST(invalid_params_give_no_stream)
{
	struct trace_params p = params(9, -5);
	ck_assert_ptr_null(tstream_new(&p, TSTREAM_JSON, TSTREAM_NONE));
	tstream_free(NULL);
}
END_TEST

Suite *tstream_suite(void); /* for -Wmissing-prototypes; tests/unit/main.c calls it */

Suite *tstream_suite(void)
{
	Suite *s = suite_create("tstream");
	TCase *tc = tcase_create("stream");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, json_stream_has_chromes_layout);
	tcase_add_test(tc, capture_datetime_is_not_zero_padded);
	tcase_add_test(tc, json_stream_events_are_the_generators);
	tcase_add_test(tc, same_params_same_stream);
	tcase_add_test(tc, gzip_stream_inflates_to_the_json_stream);
	tcase_add_test(tc, proto_stream_decodes_with_protoc);
	tcase_add_test(tc, proto_gzip_inflates_to_the_proto_stream);
	tcase_add_loop_test(tc, reads_at_random_offsets_equal_slices, 0,
			    (int)CDPM_ARRAY_LEN(combos));
	tcase_add_test(tc, stream_carries_the_data_loss_decision);
	tcase_add_test(tc, small_reads_generate_only_what_they_need);
	tcase_add_test(tc, escaped_reads_decode_to_the_raw_bytes);
	tcase_add_test(tc, invalid_params_give_no_stream);
	suite_add_tcase(s, tc);
	return s;
}
