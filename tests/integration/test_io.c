/* test_io.c - ReturnAsStream and the IO domain (docs/chrome.md §8): the
 * tracingComplete keys, handles and who may use them, IO.read's sizes,
 * offsets and eof rule, IO.close, and the gzip and proto encodings (gzip
 * decodes to the JSON stream; protoc --decode_raw accepts the proto). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "fixture.h"

#define BAD_HANDLE "Invalid stream handle"
#define COMPLETE(h, fmt, comp)                                                                     \
	"{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":false,"          \
	"\"stream\":"                                                                              \
	"\"" h "\",\"traceFormat\":\"" fmt "\",\"streamCompression\":\"" comp "\"}}"

/* Starts and ends a ReturnAsStream trace on p with extra start params
 * (a JSON fragment such as ,"streamCompression":"gzip"). */
static void stream_trace(struct fx_conn *p, int id, const char *extra, const char *complete)
{
	char params[256];
	snprintf(params, sizeof(params), "{\"transferMode\":\"ReturnAsStream\"%s}", extra);
	fx_ok(p, id, "Tracing.start", params);
	fx_ok(p, id + 1, "Tracing.end", NULL);
	/* No dataCollected: tracingComplete follows the end reply. */
	fx_expect(p, complete);
}

START_TEST(stream_complete_has_four_keys_and_counts_up)
{
	stream_trace(&fx_br, 1, "", COMPLETE("1", "json", "none"));
	stream_trace(&fx_br, 3, ",\"streamCompression\":\"gzip\"", COMPLETE("2", "json", "gzip"));
	stream_trace(&fx_br, 5, ",\"streamFormat\":\"proto\"", COMPLETE("3", "proto", "none"));
	stream_trace(&fx_br, 7, ",\"streamFormat\":\"proto\",\"streamCompression\":\"gzip\"",
		     COMPLETE("4", "proto", "gzip"));
	for (int h = 1; h <= 4; h++) {
		char params[64];
		snprintf(params, sizeof(params), "{\"handle\":\"%d\"}", h);
		fx_ok(&fx_br, 10 + h, "IO.close", params);
	}
}
END_TEST

START_TEST(json_stream_reads_to_an_empty_eof)
{
	struct buf all;
	buf_init(&all, 0);
	stream_trace(&fx_br, 1, "", COMPLETE("1", "json", "none"));
	ck_assert_int_eq(fx_read_stream(&fx_br, 10, "1", &all, 0), 2);
	/* The layout of docs/chrome.md §8, and valid JSON. */
	ck_assert_int_eq(
	    strncmp(all.data, "{\"traceEvents\":[\n{\"args\":{\"name\":\"swapper\"}", 43), 0);
	ck_assert_ptr_nonnull(strstr(all.data, "}],\"metadata\":\n{\"clock-domain\":"
					       "\"LINUX_CLOCK_MONOTONIC\""));
	ck_assert_int_eq(all.data[all.len - 1], '}');
	for (size_t i = 0; i < all.len; i++)
		if ((unsigned char)all.data[i] >= 0x80)
			ck_abort_msg("non-ASCII byte in the JSON stream");
	json_error_t err;
	json_t *v = json_loadb(all.data, all.len, 0, &err);
	ck_assert_msg(v != NULL, "stream JSON: %s at %d", err.text, err.position);
	json_t *evs = json_object_get(v, "traceEvents");
	ck_assert_uint_gt(json_array_size(evs), 50);
	for (size_t i = 0; i < json_array_size(evs); i++)
		if (!fx_event_ok(json_array_get(evs, i)))
			ck_abort_msg("bad stream event %zu", i);
	ck_assert(json_is_object(json_object_get(v, "metadata")));
	json_decref(v);
	/* Every later read is an empty eof too. */
	fx_cmd_expect(
	    &fx_br, 20, "IO.read", "{\"handle\":\"1\"}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":false,\"data\":\"\",\"eof\":true}}");
	fx_ok(&fx_br, 21, "IO.close", "{\"handle\":\"1\"}");
	buf_clear(&all);
}
END_TEST

START_TEST(sizes_are_exact_and_checked)
{
	struct buf got;
	int b64, eof;
	buf_init(&got, 0);
	stream_trace(&fx_br, 1, "", COMPLETE("1", "json", "none"));
	/* size <= 0 is refused before the handle is even looked up */
	fx_err(&fx_br, 3, "IO.read", "{\"handle\":\"1\",\"size\":0}", -32602,
	       "Invalid max read size");
	fx_err(&fx_br, 4, "IO.read", "{\"handle\":\"1\",\"size\":-1}", -32602,
	       "Invalid max read size");
	fx_err(&fx_br, 5, "IO.read", "{\"handle\":\"zz\",\"size\":0}", -32602,
	       "Invalid max read size");
	fx_cmd_expect(
	    &fx_br, 6, "IO.read", "{\"handle\":\"1\",\"size\":\"5\"}",
	    "{\"id\":%d,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\",\"data\":"
	    "\"Failed to deserialize params.size - BINDINGS: int32 value expected at position "
	    "*\"}}");
	for (int i = 0; i < 5; i++) {
		buf_reset(&got);
		fx_io_read(&fx_br, 10 + i, "{\"handle\":\"1\",\"size\":100}", &got, &b64, &eof);
		ck_assert_uint_eq(got.len, 100);
		ck_assert(!eof && !b64);
	}
	buf_reset(&got);
	fx_io_read(&fx_br, 20, "{\"handle\":\"1\",\"size\":2147483647}", &got, &b64, &eof);
	ck_assert_uint_gt(got.len, 0);
	ck_assert(!eof);
	buf_clear(&got);
}
END_TEST

START_TEST(offsets_seek_absolutely)
{
	struct buf a, b;
	int b64, eof;
	buf_init(&a, 0);
	buf_init(&b, 0);
	stream_trace(&fx_br, 1, "", COMPLETE("1", "json", "none"));
	fx_io_read(&fx_br, 3, "{\"handle\":\"1\",\"size\":64}", &a, &b64, &eof);
	/* offset 0 rewinds: the same bytes come back */
	fx_io_read(&fx_br, 4, "{\"handle\":\"1\",\"offset\":0,\"size\":64}", &b, &b64, &eof);
	ck_assert_str_eq(a.data, b.data);
	/* reads without offset continue from there; a negative one is ignored */
	buf_reset(&a);
	buf_reset(&b);
	fx_io_read(&fx_br, 5, "{\"handle\":\"1\",\"offset\":-7,\"size\":10}", &a, &b64, &eof);
	fx_io_read(&fx_br, 6, "{\"handle\":\"1\",\"offset\":64,\"size\":10}", &b, &b64, &eof);
	ck_assert_str_eq(a.data, b.data);
	/* past the end: "" and eof, then random access still works */
	fx_cmd_expect(
	    &fx_br, 7, "IO.read", "{\"handle\":\"1\",\"offset\":2000000000}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":false,\"data\":\"\",\"eof\":true}}");
	buf_reset(&a);
	fx_io_read(&fx_br, 8, "{\"handle\":\"1\",\"offset\":1,\"size\":13}", &a, &b64, &eof);
	ck_assert_str_eq(a.data, "\"traceEvents\"");
	ck_assert(!eof);
	/* read on to the end (from 14), then once more from 10 */
	buf_reset(&a);
	fx_read_stream(&fx_br, 20, "1", &a, 0);
	buf_reset(&b);
	fx_io_read(&fx_br, 40, "{\"handle\":\"1\",\"offset\":10}", &b, &b64, &eof);
	ck_assert_uint_eq(b.len, a.len + 4);
	ck_assert_int_eq(memcmp(b.data + 4, a.data, a.len), 0);
	ck_assert(!eof);
	buf_clear(&a);
	buf_clear(&b);
}
END_TEST

START_TEST(close_frees_and_unknown_handles_fail)
{
	stream_trace(&fx_br, 1, "", COMPLETE("1", "json", "none"));
	fx_ok(&fx_br, 3, "IO.close", "{\"handle\":\"1\"}");
	fx_err(&fx_br, 4, "IO.close", "{\"handle\":\"1\"}", -32602, BAD_HANDLE);
	fx_err(&fx_br, 5, "IO.read", "{\"handle\":\"1\"}", -32602, BAD_HANDLE);
	fx_err(&fx_br, 6, "IO.read", "{\"handle\":\"\"}", -32602, BAD_HANDLE);
	fx_err(&fx_br, 7, "IO.read", "{\"handle\":\"nope\"}", -32602, BAD_HANDLE);
	fx_err(&fx_br, 8, "IO.close", "{\"handle\":\"blob:1234\"}", -32602, BAD_HANDLE);
	/* "01" is not "1" */
	stream_trace(&fx_br, 9, "", COMPLETE("2", "json", "none"));
	fx_err(&fx_br, 11, "IO.read", "{\"handle\":\"02\"}", -32602, BAD_HANDLE);
	fx_cmd_expect(
	    &fx_br, 12, "IO.read", NULL,
	    "{\"id\":%d,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\",\"data\":"
	    "\"Failed to deserialize params - CBOR: map start expected at position 0\"}}");
	/* On a page socket without any stream */
	struct fx_conn pg;
	fx_open(&pg, &fx_srv, fx_br.fd, fx_srv.page_id, FX_PAGE_SOCKET);
	fx_err(&pg, 1, "IO.read", "{\"handle\":\"nope\"}", -32602, BAD_HANDLE);
	fx_err(&pg, 2, "IO.read", "{\"handle\":\"2\"}", -32602, BAD_HANDLE);
	fx_close(&pg);
}
END_TEST

START_TEST(handles_are_private_to_their_connection)
{
	struct fx_conn other;
	stream_trace(&fx_br, 1, "", COMPLETE("1", "json", "none"));
	fx_browser(&other, &fx_srv);
	fx_err(&other, 1, "IO.read", "{\"handle\":\"1\"}", -32602, BAD_HANDLE);
	fx_err(&other, 2, "IO.close", "{\"handle\":\"1\"}", -32602, BAD_HANDLE);
	/* The owner leaves with the stream open; it is freed, and nobody
	 * else ever gets it. */
	fx_close(&fx_br);
	usleep(20000);
	fx_err(&other, 3, "IO.read", "{\"handle\":\"1\"}", -32602, BAD_HANDLE);
	stream_trace(&other, 4, "", COMPLETE("2", "json", "none"));
	fx_close(&other);
	fx_browser(&fx_br, &fx_srv);
}
END_TEST

/* gunzip of in into out; 0 or a zlib error. */
static int gunzip(const struct buf *in, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in->data;
	z.avail_in = (uInt)in->len;
	int rc;
	do {
		buf_reserve(out, 1 << 16);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = 1 << 16;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += (1 << 16) - z.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	return rc == Z_STREAM_END && z.avail_in == 0 ? 0 : -1;
}

/* One trace's stream from a fresh --clock virtual server, so that two
 * servers give the same trace. */
static void virtual_stream(const char *extra, const char *complete, struct buf *out, int b64)
{
	static const char *const args[] = {"--seed", "7", "--clock", "virtual", NULL};
	struct fx_server s;
	struct fx_conn p;
	fx_start_knobs(&s, "tracing.events=5000,tracing.duration_us=2000000", args);
	fx_browser(&p, &s);
	stream_trace(&p, 1, extra, complete);
	fx_read_stream(&p, 10, "1", out, b64);
	fx_close(&p);
	fx_stop(&s);
}

START_TEST(gzip_stream_decodes_to_the_json_stream)
{
	struct buf json, gz, plain;
	buf_init(&json, 0);
	buf_init(&gz, 0);
	buf_init(&plain, 0);
	virtual_stream("", COMPLETE("1", "json", "none"), &json, 0);
	virtual_stream(",\"streamCompression\":\"gzip\"", COMPLETE("1", "json", "gzip"), &gz, 1);
	/* Chrome's header: 1f8b0800000000000003 ("H4sI" in base64) */
	ck_assert_int_eq(memcmp(gz.data, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10), 0);
	ck_assert_int_eq(gunzip(&gz, &plain), 0);
	ck_assert_uint_eq(plain.len, json.len);
	ck_assert_int_eq(memcmp(plain.data, json.data, json.len), 0);
	ck_assert_uint_lt(gz.len, json.len / 2);
	buf_clear(&json);
	buf_clear(&gz);
	buf_clear(&plain);
}
END_TEST

/* 1 when `protoc --decode_raw` reads the bytes; -1 when protoc is absent. */
static int protoc_accepts(const struct buf *pb)
{
	char path[64];
	fx_temp_file(path, pb->data, pb->len);
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "command -v protoc >/dev/null || exit 77; protoc --decode_raw < %s > /dev/null",
		 path);
	int st = system(cmd);
	unlink(path);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

START_TEST(proto_streams_are_perfetto_traces)
{
	struct buf pb, gz, plain;
	buf_init(&pb, 0);
	buf_init(&gz, 0);
	buf_init(&plain, 0);
	stream_trace(&fx_br, 1, ",\"streamFormat\":\"proto\"", COMPLETE("1", "proto", "none"));
	fx_read_stream(&fx_br, 10, "1", &pb, 1);
	/* Trace.packet (field 1), as Chrome's 0a... */
	ck_assert_int_eq((unsigned char)pb.data[0], 0x0a);
	int ok = protoc_accepts(&pb);
	if (ok >= 0)
		ck_assert_int_eq(ok, 1);
	stream_trace(&fx_br, 30, ",\"streamFormat\":\"proto\",\"streamCompression\":\"gzip\"",
		     COMPLETE("2", "proto", "gzip"));
	fx_read_stream(&fx_br, 40, "2", &gz, 1);
	ck_assert_int_eq(gunzip(&gz, &plain), 0);
	ck_assert_int_eq((unsigned char)plain.data[0], 0x0a);
	if (ok >= 0)
		ck_assert_int_eq(protoc_accepts(&plain), 1);
	buf_clear(&pb);
	buf_clear(&gz);
	buf_clear(&plain);
}
END_TEST

START_TEST(base64_reads_split_on_any_size)
{
	struct buf whole, parts;
	int b64, eof;
	buf_init(&whole, 0);
	buf_init(&parts, 0);
	stream_trace(&fx_br, 1, ",\"streamCompression\":\"gzip\"", COMPLETE("1", "json", "gzip"));
	fx_read_stream(&fx_br, 10, "1", &whole, 1);
	/* Odd sizes: each read is exactly size raw bytes, base64 on its own. */
	fx_cmd(&fx_br, 20, "IO.read", "{\"handle\":\"1\",\"offset\":0,\"size\":7}");
	fx_next(&fx_br);
	int id = 21;
	do {
		size_t before = parts.len;
		fx_io_read(&fx_br, id++, "{\"handle\":\"1\",\"size\":1001}", &parts, &b64, &eof);
		ck_assert(b64);
		if (!eof && parts.len - before != 1001)
			ck_assert_uint_eq(7 + parts.len, whole.len); /* only the last is short */
	} while (!eof);
	ck_assert_uint_eq(7 + parts.len, whole.len);
	ck_assert_int_eq(memcmp(whole.data + 7, parts.data, parts.len), 0);
	buf_clear(&whole);
	buf_clear(&parts);
}
END_TEST

START_TEST(default_reads_are_ten_mib)
{
	struct fx_server s;
	struct fx_conn p;
	struct buf got;
	int b64, eof;
	buf_init(&got, 0);
	/* ~25 MB of JSON, as in Chrome's 3-read example */
	fx_start_knobs(&s, "tracing.events=140000", NULL);
	fx_browser(&p, &s);
	stream_trace(&p, 1, "", COMPLETE("1", "json", "none"));
	fx_io_read(&p, 3, "{\"handle\":\"1\"}", &got, &b64, &eof);
	ck_assert_uint_eq(got.len, 10485760);
	buf_reset(&got);
	fx_io_read(&p, 4, "{\"handle\":\"1\",\"size\":20000000}", &got, &b64, &eof);
	ck_assert_uint_eq(got.len, 10485760);
	buf_reset(&got);
	fx_io_read(&p, 5, "{\"handle\":\"1\"}", &got, &b64, &eof);
	ck_assert_uint_gt(got.len, 0);
	ck_assert_uint_lt(got.len, 10485760);
	ck_assert(!eof);
	fx_cmd_expect(
	    &p, 6, "IO.read", "{\"handle\":\"1\"}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":false,\"data\":\"\",\"eof\":true}}");
	fx_close(&p);
	fx_stop(&s);
	buf_clear(&got);
}
END_TEST

START_TEST(read_ahead_gives_the_same_bytes)
{
	/* Sequential 1 MiB reads are answered from the read-ahead; ids whose
	 * length differs from the guess (9 -> 100 -> 1000 -> 5) move it. */
	static const int ids[] = {8, 9, 100, 1000, 1001, 5, 6, 7};
	struct fx_server s;
	struct fx_conn p;
	struct buf seq, byoff;
	int b64, eof = 0;
	buf_init(&seq, 0);
	buf_init(&byoff, 0);
	fx_start_knobs(&s, "tracing.events=30000,io.read_chunk=1048576", NULL);
	fx_browser(&p, &s);
	stream_trace(&p, 1, "", COMPLETE("1", "json", "none"));
	for (size_t i = 0; !eof; i++) {
		int id = i < sizeof(ids) / sizeof(ids[0]) ? ids[i] : 2000 + (int)i;
		size_t before = seq.len;
		fx_io_read(&p, id, "{\"handle\":\"1\"}", &seq, &b64, &eof);
		if (!eof && seq.len - before != 1048576)
			ck_assert(seq.len - before < 1048576); /* only the last is short */
	}
	ck_assert_uint_gt(seq.len, 4 * 1048576);
	for (int id = 3000; byoff.len < seq.len; id++) {
		char params[96];
		snprintf(params, sizeof(params),
			 "{\"handle\":\"1\",\"offset\":%zu,\"size\":999999}", byoff.len);
		fx_io_read(&p, id, params, &byoff, &b64, &eof);
		ck_assert(!eof);
	}
	ck_assert_uint_eq(byoff.len, seq.len);
	ck_assert_int_eq(memcmp(seq.data, byoff.data, seq.len), 0);
	/* and for gzip (base64) */
	buf_reset(&seq);
	stream_trace(&p, 4000, ",\"streamCompression\":\"gzip\"", COMPLETE("2", "json", "gzip"));
	fx_read_stream(&p, 4010, "2", &seq, 1);
	buf_reset(&byoff);
	ck_assert_int_eq(gunzip(&seq, &byoff), 0);
	fx_close(&p);
	fx_stop(&s);
	buf_clear(&seq);
	buf_clear(&byoff);
}
END_TEST

START_TEST(knobs_set_the_read_chunk_and_hold_eof)
{
	struct fx_server s;
	struct fx_conn p;
	struct buf got;
	int b64, eof;
	buf_init(&got, 0);
	fx_start_knobs(&s, "io.read_chunk=1000,io.never_eof=1", NULL);
	fx_browser(&p, &s);
	stream_trace(&p, 1, "", COMPLETE("1", "json", "none"));
	fx_io_read(&p, 3, "{\"handle\":\"1\"}", &got, &b64, &eof);
	ck_assert_uint_eq(got.len, 1000);
	buf_reset(&got);
	fx_io_read(&p, 4, "{\"handle\":\"1\",\"size\":5000}", &got, &b64, &eof);
	ck_assert_uint_eq(got.len, 1000);
	/* past the end: still no eof */
	fx_cmd_expect(
	    &p, 5, "IO.read", "{\"handle\":\"1\",\"offset\":2000000000}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":false,\"data\":\"\",\"eof\":false}}");
	fx_close(&p);
	fx_stop(&s);
	buf_clear(&got);
}
END_TEST

Suite *io_suite(void);

Suite *io_suite(void)
{
	Suite *s = suite_create("io");
	TCase *tc = tcase_create("streams");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, stream_complete_has_four_keys_and_counts_up);
	tcase_add_test(tc, json_stream_reads_to_an_empty_eof);
	tcase_add_test(tc, sizes_are_exact_and_checked);
	tcase_add_test(tc, offsets_seek_absolutely);
	tcase_add_test(tc, close_frees_and_unknown_handles_fail);
	tcase_add_test(tc, handles_are_private_to_their_connection);
	tcase_add_test(tc, gzip_stream_decodes_to_the_json_stream);
	tcase_add_test(tc, proto_streams_are_perfetto_traces);
	tcase_add_test(tc, base64_reads_split_on_any_size);
	if (!getenv("CDPM_SLOW"))
		tcase_add_test(tc, default_reads_are_ten_mib);
	tcase_add_test(tc, read_ahead_gives_the_same_bytes);
	tcase_add_test(tc, knobs_set_the_read_chunk_and_hold_eof);
	suite_add_tcase(s, tc);
	return s;
}
