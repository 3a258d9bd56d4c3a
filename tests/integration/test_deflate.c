/* test_deflate.c - permessage-deflate (RFC 7692) from the client side: a
 * message that ends in a final deflate block, and --max-message-size applied
 * to the inflated size, exactly.  Framing without compression is test_ws.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fixture.h"

#define DEFLATE_CAP 100000

static struct fx_server srv;
static struct buf msg;
static int fd = -1;

static void setup_with(const char *const *args)
{
	fx_start(&srv, args);
	buf_init(&msg, 0);
}

static void setup_default(void)
{
	setup_with(NULL);
}

/* Under the 64 KiB that the inflate buffer used to start at. */
static void setup_small_cap(void)
{
	static const char *const args[] = {"--max-message-size=50000", NULL};
	setup_with(args);
}

/* Over it, but under the 128 KiB it used to double to. */
static void setup_cap(void)
{
	static const char *const args[] = {"--max-message-size=100000", NULL};
	setup_with(args);
}

static void teardown(void)
{
	fx_stop(&srv);
	buf_clear(&msg);
}

/* Opens the browser socket with permessage-deflate; each server message is
 * then compressed on its own (server_no_context_takeover). */
static void open_deflate(void)
{
	char path[128];
	struct buf resp;
	buf_init(&resp, 0);
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv.browser_id);
	fd = fx_ws_open(&srv, path,
			     "Sec-WebSocket-Extensions: permessage-deflate; "
			     "server_no_context_takeover\r\n",
			     &resp);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(strstr(resp.data, "permessage-deflate"));
	buf_clear(&resp);
}

static void close_fd(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
}

/* Raw-deflates text; finish: end with a BFINAL block (Z_FINISH) instead of
 * a sync flush with its 00 00 ff ff tail removed. */
static void compress_text(const char *text, size_t n, int finish, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	buf_reset(out);
	ck_assert_int_eq(buf_reserve(out, deflateBound(&z, n) + 16), 0);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)n;
	z.next_out = (unsigned char *)out->data;
	z.avail_out = (uInt)(out->alloc - 1);
	int zr = deflate(&z, finish ? Z_FINISH : Z_SYNC_FLUSH);
	ck_assert(zr == (finish ? Z_STREAM_END : Z_OK));
	out->len = out->alloc - 1 - z.avail_out;
	if (!finish)
		out->len -= 4;
	deflateEnd(&z);
}

/* Reads the next frame: a compressed text frame, inflated into msg. */
static void read_inflated(void)
{
	int op, rsv;
	struct buf raw;
	buf_init(&raw, 0);
	ck_assert_int_eq(fx_ws_read(fd, 5000, &op, &rsv, &raw), 0);
	ck_assert_int_eq(op, 1);
	ck_assert_int_eq(rsv, 4);
	buf_add(&raw, "\0\0\xff\xff", 4);
	z_stream z;
	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, -15), Z_OK);
	buf_reset(&msg);
	ck_assert_int_eq(buf_reserve(&msg, 1 << 20), 0);
	z.next_in = (unsigned char *)raw.data;
	z.avail_in = (uInt)raw.len;
	z.next_out = (unsigned char *)msg.data;
	z.avail_out = (uInt)(msg.alloc - 1);
	int zr = inflate(&z, Z_SYNC_FLUSH);
	ck_assert(zr == Z_OK || zr == Z_STREAM_END);
	msg.len = msg.alloc - 1 - z.avail_out;
	msg.data[msg.len] = '\0';
	inflateEnd(&z);
	buf_clear(&raw);
}

/* A Browser.getVersion call padded to exactly n bytes of JSON. */
static void padded_call(struct buf *b, int id, size_t n)
{
	buf_reset(b);
	buf_printf(b, "{\"id\":%d,\"method\":\"Browser.getVersion\",\"params\":{\"pad\":\"", id);
	while (b->len + 3 < n)
		buf_addc(b, 'x');
	buf_adds(b, "\"}}");
	ck_assert_uint_eq(b->len, n);
}

static void expect_1009(void)
{
	int op;
	ck_assert_int_eq(fx_ws_read(fd, 5000, &op, NULL, &msg), 0);
	ck_assert_int_eq(op, 8);
	ck_assert_uint_eq(msg.len, 2);
	ck_assert_int_eq((unsigned char)msg.data[0] << 8 | (unsigned char)msg.data[1], 1009);
	ck_assert(fx_eof(fd, 5000));
}

START_TEST(a_message_ending_in_a_final_block_is_answered)
{
	/* The report's frame, byte for byte: {"id":1,"method":"Browser.getVersion"}
	 * compressed with Z_FINISH, so inflate ends the stream before the
	 * 00 00 ff ff tail the receiver appends. */
	static const char hex[] = "c1a600000000ab56ca4c51b232d451ca4d2dc9c80732959c8af2cb8b538bf4"
				  "d2534bc2528b8a33f3f3946a01";
	unsigned char raw[sizeof(hex) / 2];
	for (size_t i = 0; i < sizeof(raw); i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		raw[i] = (unsigned char)v;
	}
	open_deflate();
	ck_assert_int_eq((int)write(fd, raw, sizeof(raw)), (int)sizeof(raw));
	read_inflated();
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":1,\"result\":{\"protocolVersion\":", 36), 0);
	/* The inflater goes on working, window kept: the same text again
	 * (now a back-reference only) and a sync-flushed message after it. */
	struct buf z;
	buf_init(&z, 0);
	static const char two[] = "{\"id\":2,\"method\":\"Browser.getVersion\"}";
	compress_text(two, strlen(two), 1, &z);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 4, 1, 1, z.data, z.len), 0);
	read_inflated();
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":2,\"result\":", 17), 0);
	static const char three[] = "{\"id\":3,\"method\":\"Browser.getVersion\"}";
	compress_text(three, strlen(three), 0, &z);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 4, 1, 1, z.data, z.len), 0);
	read_inflated();
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":3,\"result\":", 17), 0);
	buf_clear(&z);
	close_fd();
}
END_TEST

START_TEST(a_small_compressed_message_fits_a_small_cap)
{
	/* The cap is under 64 KiB: a 38-byte message must still go through. */
	open_deflate();
	struct buf z;
	buf_init(&z, 0);
	static const char one[] = "{\"id\":1,\"method\":\"Browser.getVersion\"}";
	compress_text(one, strlen(one), 0, &z);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 4, 1, 1, z.data, z.len), 0);
	read_inflated();
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":1,\"result\":", 17), 0);
	buf_clear(&z);
	close_fd();
}
END_TEST

START_TEST(the_cap_applies_to_the_inflated_size_exactly)
{
	struct buf text, z;
	buf_init(&text, 0);
	buf_init(&z, 0);
	open_deflate();
	padded_call(&text, 5, DEFLATE_CAP);
	compress_text(text.data, text.len, 0, &z);
	ck_assert_uint_lt(z.len, 1000);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 4, 1, 1, z.data, z.len), 0);
	read_inflated();
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":5,\"result\":", 17), 0);
	/* One byte more inflates past the cap: 1009, whatever it compressed to. */
	padded_call(&text, 6, DEFLATE_CAP + 1);
	compress_text(text.data, text.len, 0, &z);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 4, 1, 1, z.data, z.len), 0);
	expect_1009();
	close_fd();
	buf_clear(&text);
	buf_clear(&z);
}
END_TEST

START_TEST(a_deflate_bomb_closes_with_1009)
{
	/* 32 MiB of spaces deflates to about 32 KiB; the server must stop at
	 * the cap rather than inflate it all. */
	size_t n = (size_t)32 << 20;
	char *spaces = malloc(n);
	ck_assert_ptr_nonnull(spaces);
	memset(spaces, ' ', n);
	struct buf z;
	buf_init(&z, 0);
	compress_text(spaces, n, 0, &z);
	free(spaces);
	open_deflate();
	ck_assert_int_eq(fx_ws_frame(fd, 1, 4, 1, 1, z.data, z.len), 0);
	expect_1009();
	close_fd();
	buf_clear(&z);
	/* The server is still fine. */
	open_deflate();
	static const char one[] = "{\"id\":1,\"method\":\"Browser.getVersion\"}";
	compress_text(one, strlen(one), 0, &z);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 4, 1, 1, z.data, z.len), 0);
	read_inflated();
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":1,\"result\":", 17), 0);
	buf_clear(&z);
	close_fd();
}
END_TEST

Suite *deflate_suite(void);
Suite *deflate_suite(void)
{
	Suite *s = suite_create("deflate");
	/* A fresh server per test: a hang in one must not eat the others. */
	TCase *tc = tcase_create("final-block");
	tcase_add_checked_fixture(tc, setup_default, teardown);
	tcase_add_test(tc, a_message_ending_in_a_final_block_is_answered);
	suite_add_tcase(s, tc);
	tc = tcase_create("small-cap");
	tcase_add_checked_fixture(tc, setup_small_cap, teardown);
	tcase_add_test(tc, a_small_compressed_message_fits_a_small_cap);
	tcase_add_test(tc, a_deflate_bomb_closes_with_1009);
	suite_add_tcase(s, tc);
	tc = tcase_create("cap");
	tcase_add_checked_fixture(tc, setup_cap, teardown);
	tcase_add_test(tc, the_cap_applies_to_the_inflated_size_exactly);
	suite_add_tcase(s, tc);
	return s;
}
