/* test_ws.c - WebSocket framing without sockets: frame headers, the handshake
 * key, permessage-deflate negotiation and round trips, and the incremental
 * parser's verdicts on every kind of frame. */
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "cdpm.h"
#include "net/conn.h"
#include "server.h"
#include "net/ws.h"

/* Flushes c's outbox through a socketpair and returns what came out. */
static void outbox(struct conn *c, struct buf *out)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	c->out_fd = sv[0];
	conn_on_writable(c);
	c->out_fd = -1;
	char tmp[65536];
	ssize_t n;
	while ((n = read(sv[1], tmp, sizeof(tmp))) > 0)
		buf_add(out, tmp, (size_t)n);
	close(sv[0]);
	close(sv[1]);
}

static void frame(struct buf *f, int fin, int rsv, int op, int masked, const void *p, size_t n)
{
	static const unsigned char key[4] = {1, 2, 3, 4};
	buf_reset(f);
	buf_addc(f, (char)((fin ? 0x80 : 0) | (rsv << 4) | op));
	unsigned char m = masked ? 0x80 : 0;
	if (n < 126) {
		buf_addc(f, (char)(m | n));
	} else {
		buf_addc(f, (char)(m | 126));
		buf_addc(f, (char)(n >> 8));
		buf_addc(f, (char)n);
	}
	if (masked)
		buf_add(f, key, 4);
	size_t at = f->len;
	buf_add(f, p, n);
	if (masked)
		for (size_t i = 0; i < n; i++)
			f->data[at + i] ^= (char)key[i & 3];
}

static struct conn *ws_conn(void)
{
	server_defaults();
	struct conn *c = conn_new(CONN_WS, NULL, NULL);
	ck_assert_ptr_nonnull(c);
	return c;
}

START_TEST(rfc_sample_key)
{
	char out[64];
	ck_assert_int_eq(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
END_TEST

static const struct {
	uint64_t len;
	size_t hdr;
	unsigned char b1;
} hdr_rows[] = {{0, 2, 0}, {125, 2, 125}, {126, 4, 126}, {65535, 4, 126}, {65536, 10, 127},
		{2000057, 10, 127}};

START_TEST(headers_use_the_shortest_length)
{
	unsigned char buf[16];
	size_t n = ws_frame_header(buf + 16, WS_OP_TEXT, 0, hdr_rows[_i].len);
	ck_assert_uint_eq(n, hdr_rows[_i].hdr);
	ck_assert_uint_eq(buf[16 - n], 0x81); /* FIN, text, no RSV */
	ck_assert_uint_eq(buf[16 - n + 1], hdr_rows[_i].b1); /* unmasked */
	n = ws_frame_header(buf + 16, WS_OP_TEXT, 1, hdr_rows[_i].len);
	ck_assert_uint_eq(buf[16 - n], 0xC1);
}
END_TEST

static const struct {
	const char *offer;
	int ok;
	const char *answer;
} offer_rows[] = {
	{"permessage-deflate", 1, "permessage-deflate"},
	{"permessage-deflate; client_max_window_bits", 1,
	 "permessage-deflate; client_max_window_bits=15"},
	{"permessage-deflate; server_no_context_takeover", 1,
	 "permessage-deflate; server_no_context_takeover"},
	{"permessage-deflate; server_max_window_bits=8", 0, ""},
	{"permessage-deflate; server_max_window_bits=8, permessage-deflate", 1, "permessage-deflate"},
	{"permessage-deflate; bogus_param", 0, ""},
	{"x-webkit-deflate-frame", 0, ""},
};

START_TEST(deflate_offers)
{
	struct ws w;
	struct buf resp;
	ws_init(&w, 0, NULL, NULL);
	buf_init(&resp, 0);
	ck_assert_int_eq(ws_negotiate_deflate(&w, offer_rows[_i].offer, &resp), offer_rows[_i].ok);
	ck_assert_int_eq(w.deflate, offer_rows[_i].ok);
	ck_assert_str_eq(resp.data ? resp.data : "", offer_rows[_i].answer);
	buf_clear(&resp);
	ws_clear(&w);
}
END_TEST

START_TEST(compressed_messages_inflate_back)
{
	struct ws w;
	struct buf resp, b;
	ws_init(&w, 0, NULL, NULL);
	buf_init(&resp, 0);
	ck_assert_int_eq(ws_negotiate_deflate(&w, "permessage-deflate", &resp), 1);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(conn_msg_begin(&b), 0);
		for (int i = 0; i < 1000; i++)
			buf_printf(&b, "{\"n\":%d},", i + round);
		size_t plain = b.len - CONN_HEADROOM;
		ck_assert_int_eq(ws_compress(&w, &b, CONN_HEADROOM), 0);
		ck_assert_uint_lt(b.len - CONN_HEADROOM, plain / 4);
		/* A raw inflater (with the sync tail back) gets the text again. */
		z_stream z;
		memset(&z, 0, sizeof(z));
		ck_assert_int_eq(inflateInit2(&z, -15), Z_OK);
		buf_add(&b, "\0\0\xff\xff", 4);
		char out[32768];
		z.next_in = (unsigned char *)b.data + CONN_HEADROOM;
		z.avail_in = (uInt)(b.len - CONN_HEADROOM);
		z.next_out = (unsigned char *)out;
		z.avail_out = sizeof(out);
		int zr = inflate(&z, Z_SYNC_FLUSH);
		ck_assert(zr == Z_OK || zr == Z_STREAM_END);
		inflateEnd(&z);
		ck_assert_uint_eq(sizeof(out) - z.avail_out, plain);
		ck_assert_int_eq(strncmp(out, round ? "{\"n\":" : "{\"n\":0},", 5), 0);
		buf_clear(&b);
		/* Context takeover: only the first round is decodable alone. */
		break;
	}
	buf_clear(&resp);
	ws_clear(&w);
}
END_TEST

START_TEST(ping_is_answered_and_close_echoed)
{
	struct conn *c = ws_conn();
	struct buf f, out;
	buf_init(&f, 0);
	buf_init(&out, 0);
	frame(&f, 1, 0, WS_OP_PING, 1, "abc", 3);
	ck_assert_int_eq(ws_feed(&c->ws, (unsigned char *)f.data, f.len), 0);
	outbox(c, &out);
	ck_assert_uint_eq(out.len, 5);
	ck_assert_int_eq(memcmp(out.data, "\x8a\x03" "abc", 5), 0);
	frame(&f, 1, 0, WS_OP_CLOSE, 1, "\x03\xe9", 2);
	ck_assert_int_eq(ws_feed(&c->ws, (unsigned char *)f.data, f.len), 0);
	buf_reset(&out);
	outbox(c, &out);
	ck_assert_uint_eq(out.len, 4);
	ck_assert_int_eq(memcmp(out.data, "\x88\x02\x03\xe8", 4), 0);
	ck_assert(c->close_after_flush);
	buf_clear(&f);
	buf_clear(&out);
	conn_free(c);
}
END_TEST

START_TEST(bytes_may_arrive_one_at_a_time)
{
	struct conn *c = ws_conn();
	struct buf f, out;
	buf_init(&f, 0);
	buf_init(&out, 0);
	char big[300];
	memset(big, 'p', sizeof(big));
	frame(&f, 1, 0, WS_OP_PING, 1, big, 100);
	for (size_t i = 0; i < f.len; i++)
		ck_assert_int_eq(ws_feed(&c->ws, (unsigned char *)f.data + i, 1), 0);
	outbox(c, &out);
	ck_assert_uint_eq(out.len, 102);
	ck_assert_int_eq(memcmp(out.data + 2, big, 100), 0);
	buf_clear(&f);
	buf_clear(&out);
	conn_free(c);
}
END_TEST

static const struct {
	int fin, rsv, op, masked;
	size_t len;
	int want;
} verdict_rows[] = {
	{1, 0, WS_OP_BINARY, 1, 3, CDPM_EPROTO},
	{1, 0, WS_OP_TEXT, 0, 3, CDPM_EPROTO},
	{1, 0, 3, 1, 3, CDPM_EPROTO},
	{1, 0, 11, 1, 3, CDPM_EPROTO},
	{1, 0, WS_OP_CONT, 1, 3, CDPM_EPROTO},
	{1, 4, WS_OP_TEXT, 1, 3, CDPM_EPROTO},
	{1, 2, WS_OP_TEXT, 1, 3, CDPM_EPROTO},
	{0, 0, WS_OP_PING, 1, 3, CDPM_EPROTO},
	{1, 0, WS_OP_PING, 1, 126, CDPM_EPROTO},
	{1, 0, WS_OP_TEXT, 1, 200, CDPM_ETOOBIG},
};

START_TEST(frame_verdicts)
{
	struct conn *c = ws_conn();
	c->ws.max_message = 100;
	struct buf f;
	buf_init(&f, 0);
	char payload[200];
	memset(payload, ' ', sizeof(payload));
	frame(&f, verdict_rows[_i].fin, verdict_rows[_i].rsv, verdict_rows[_i].op,
	      verdict_rows[_i].masked, payload, verdict_rows[_i].len);
	ck_assert_int_eq(ws_feed(&c->ws, (unsigned char *)f.data, f.len), verdict_rows[_i].want);
	buf_clear(&f);
	conn_free(c);
}
END_TEST

START_TEST(fragments_count_toward_the_cap)
{
	struct conn *c = ws_conn();
	c->ws.max_message = 100;
	struct buf f;
	buf_init(&f, 0);
	char payload[60];
	memset(payload, ' ', sizeof(payload));
	frame(&f, 0, 0, WS_OP_TEXT, 1, payload, 60);
	ck_assert_int_eq(ws_feed(&c->ws, (unsigned char *)f.data, f.len), 0);
	frame(&f, 0, 0, WS_OP_CONT, 1, payload, 40);
	ck_assert_int_eq(ws_feed(&c->ws, (unsigned char *)f.data, f.len), 0);
	frame(&f, 1, 0, WS_OP_CONT, 1, payload, 1);
	ck_assert_int_eq(ws_feed(&c->ws, (unsigned char *)f.data, f.len), CDPM_ETOOBIG);
	buf_clear(&f);
	conn_free(c);
}
END_TEST

Suite *ws_suite(void);
Suite *ws_suite(void)
{
	Suite *s = suite_create("ws");
	TCase *tc = tcase_create("framing");
	tcase_add_test(tc, rfc_sample_key);
	tcase_add_loop_test(tc, headers_use_the_shortest_length, 0, 6);
	tcase_add_loop_test(tc, deflate_offers, 0, 7);
	tcase_add_test(tc, compressed_messages_inflate_back);
	tcase_add_test(tc, ping_is_answered_and_close_echoed);
	tcase_add_test(tc, bytes_may_arrive_one_at_a_time);
	tcase_add_loop_test(tc, frame_verdicts, 0, 10);
	tcase_add_test(tc, fragments_count_toward_the_cap);
	suite_add_tcase(s, tc);
	return s;
}
