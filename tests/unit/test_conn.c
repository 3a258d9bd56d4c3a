/* test_conn.c - the connection layer without a server: NUL-separated pipe
 * messages handed up whole through the hooks, the byte triggers of the tap,
 * the tap taking or passing outgoing messages, framing (pipe NUL, WebSocket
 * header), WebSocket input, lazy messages, the outbox's accounting and
 * water marks, producers, split gaps and the throttle on the loop, and what
 * a closed connection refuses.  The wire is a socketpair read back. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cdpm.h"
#include "fake.h"
#include "net/loop.h"
#include "server.h"

Suite *conn_suite(void); /* the generated runner's entry point */

/* What the fake hooks and tap saw, in order. */
static struct {
	char msgs[16][128];
	size_t lens[16];
	size_t n;
	char calls[128];  /* one letter per call: o(pen) m(essage) c(lose) g(one) b(yte) */
	uint64_t byte_at; /* the trigger the tap asks for (0: none) */
	uint64_t fired_rx[8];
	size_t fired_msgs[8];
	size_t n_fired;
} seen;

static void note(char k)
{
	size_t n = strlen(seen.calls);
	if (n + 1 < sizeof(seen.calls))
		seen.calls[n] = k;
}

static int hook_open(struct conn *c)
{
	(void)c;
	note('o');
	return 7;
}

static void hook_message(struct conn *c, const char *text, size_t len)
{
	(void)c;
	note('m');
	ck_assert_uint_lt(seen.n, 16);
	ck_assert_uint_lt(len, 128);
	memcpy(seen.msgs[seen.n], text, len);
	seen.msgs[seen.n][len] = '\0';
	seen.lens[seen.n++] = len;
}

static void hook_close(struct conn *c)
{
	(void)c;
	note('c');
}

static const struct conn_hooks hooks = {
	.open = hook_open,
	.message = hook_message,
	.close = hook_close,
};

static uint64_t tap_next_byte(struct conn *c)
{
	(void)c;
	return seen.byte_at;
}

static void tap_on_byte(struct conn *c)
{
	note('b');
	ck_assert_uint_lt(seen.n_fired, 8);
	seen.fired_rx[seen.n_fired] = c->rx_bytes;
	seen.fired_msgs[seen.n_fired++] = seen.n;
	seen.byte_at = 0; /* fired: no further trigger */
}

static void tap_gone(struct conn *c)
{
	(void)c;
	note('g');
}

static const struct conn_tap byte_tap = {
	.next_byte = tap_next_byte,
	.on_byte = tap_on_byte,
	.gone = tap_gone,
};

static void setup(void)
{
	memset(&seen, 0, sizeof(seen));
	fake_up(NULL, 0, NULL, 0);
}

static void setup_loop(void)
{
	memset(&seen, 0, sizeof(seen));
	fake_up(NULL, 0, NULL, 1);
}

static void teardown(void)
{
	fake_down();
}

static struct conn *pipe_conn(void)
{
	struct conn *c = conn_new(CONN_PIPE, NULL, &hooks);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Builds a message with text as its payload, as call.c does. */
static void msg(struct buf *b, const char *text)
{
	ck_assert_int_eq(conn_msg_begin(b), 0);
	ck_assert_int_eq(buf_adds(b, text), 0);
}

/* ---- input ---- */

static const char stream[] = "{\"id\":1}\0\0{\"method\":\"A.b\"}\0tail";
#define STREAM_LEN (sizeof(stream) - 1)

START_TEST(pipe_messages_go_up_whole_however_the_reads_split_them)
{
	/* _i is the read size: 1 byte at a time up to everything at once. */
	struct conn *c = pipe_conn();
	size_t step = (size_t)_i;
	for (size_t off = 0; off < STREAM_LEN; off += step) {
		size_t n = STREAM_LEN - off < step ? STREAM_LEN - off : step;
		ck_assert_int_eq(conn_on_rx(c, stream + off, n), 0);
	}
	ck_assert_uint_eq(seen.n, 3);
	ck_assert_str_eq(seen.msgs[0], "{\"id\":1}");
	ck_assert_uint_eq(seen.lens[1], 0); /* two NULs in a row: an empty message */
	ck_assert_str_eq(seen.msgs[2], "{\"method\":\"A.b\"}");
	/* "tail" has no NUL yet: it waits for the rest. */
	ck_assert_uint_eq(c->in.len, 4);
	ck_assert_int_eq(conn_on_rx(c, "!\0", 2), 0);
	ck_assert_uint_eq(seen.n, 4);
	ck_assert_str_eq(seen.msgs[3], "tail!");
	ck_assert_uint_eq(c->in.len, 0);
	ck_assert_uint_eq(c->rx_bytes, STREAM_LEN + 2);
}
END_TEST

START_TEST(a_pipe_message_over_the_cap_is_an_error_and_goes_nowhere)
{
	server.opts.max_message = 1024; /* the buffer holds this plus 64 KiB */
	struct conn *c = pipe_conn();
	size_t big = 1024 + 65536 + 1;
	char *p = malloc(big);
	memset(p, 'x', big);
	ck_assert_int_eq(conn_on_rx(c, p, big - 1), 0);
	ck_assert_int_eq(conn_on_rx(c, p, 1), CDPM_ETOOBIG);
	ck_assert_uint_eq(seen.n, 0);
	free(p);
}
END_TEST

START_TEST(open_and_message_go_to_the_hooks_and_no_hooks_is_fine)
{
	struct conn *c = pipe_conn();
	ck_assert_int_eq(conn_opened(c), 7);
	conn_deliver(c, "hi", 2);
	ck_assert_str_eq(seen.calls, "om");
	struct conn *bare = conn_new(CONN_PIPE, NULL, NULL);
	ck_assert_int_eq(conn_opened(bare), 0);
	conn_deliver(bare, "x", 1);
	ck_assert_int_eq(conn_on_rx(bare, "y\0", 2), 0);
	ck_assert_str_eq(seen.calls, "om");
	ck_assert_uint_ne(bare->id, c->id);
}
END_TEST

/* Byte triggers at each position of the stream, fed in one read: the tap
 * hears of byte N after exactly N bytes were used, messages ending at or
 * before N already delivered, later ones not yet. */
START_TEST(a_byte_trigger_fires_right_after_its_byte)
{
	uint64_t at = (uint64_t)_i;
	struct conn *c = pipe_conn();
	conn_set_tap(c, &byte_tap);
	seen.byte_at = at;
	ck_assert_int_eq(conn_on_rx(c, stream, STREAM_LEN), 0);
	ck_assert_uint_eq(seen.n_fired, 1);
	ck_assert_uint_eq(seen.fired_rx[0], at);
	size_t before = at >= 27 ? 3 : at >= 10 ? 2 : at >= 9 ? 1 : 0;
	ck_assert_uint_eq(seen.fired_msgs[0], before);
	ck_assert_uint_eq(seen.n, 3);
}
END_TEST

START_TEST(a_byte_trigger_already_passed_does_not_fire)
{
	struct conn *c = pipe_conn();
	conn_set_tap(c, &byte_tap);
	ck_assert_int_eq(conn_on_rx(c, "abc", 3), 0);
	seen.byte_at = 2;
	ck_assert_int_eq(conn_on_rx(c, "def\0", 4), 0);
	ck_assert_uint_eq(seen.n_fired, 0);
	ck_assert_uint_eq(seen.n, 1);
}
END_TEST

/* A masked client text frame (RFC 6455 5.3), payload under 126 bytes. */
static size_t client_frame(unsigned char *out, const char *payload, size_t n)
{
	static const unsigned char key[4] = {0x11, 0x22, 0x33, 0x44};
	out[0] = 0x81;
	out[1] = (unsigned char)(0x80 | n);
	memcpy(out + 2, key, 4);
	for (size_t i = 0; i < n; i++)
		out[6 + i] = (unsigned char)payload[i] ^ key[i & 3];
	return 6 + n;
}

START_TEST(a_websocket_frame_goes_up_as_one_message_however_it_is_read)
{
	struct conn *c = conn_new(CONN_WS, NULL, &hooks);
	unsigned char f[64];
	size_t n = client_frame(f, "{\"id\":1}", 8);
	size_t cut = (size_t)_i;
	ck_assert_int_eq(conn_on_rx(c, f, cut), 0);
	ck_assert_uint_eq(seen.n, 0);
	ck_assert_int_eq(conn_on_rx(c, f + cut, n - cut), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_str_eq(seen.msgs[0], "{\"id\":1}");
	ck_assert_uint_eq(c->rx_bytes, n);
}
END_TEST

START_TEST(a_websocket_message_over_the_cap_is_refused_with_close_1009)
{
	server.opts.max_message = 1024;
	struct conn *c = conn_new(CONN_WS, NULL, &hooks);
	/* A masked text frame announcing 2000 bytes: 126 and a 16-bit length. */
	static const unsigned char big[] = {0x81, 0x80 | 126, 0x07, 0xd0, 1, 2, 3, 4};
	ck_assert_int_eq(conn_on_rx(c, big, sizeof(big)), 0);
	ck_assert_int_eq(c->close_after_flush, 1);
	ck_assert_int_eq(c->ws.close_sent, 1);
	struct buf w;
	buf_init(&w, 0);
	ck_assert_int_eq(fake_flush(c, &w), -1);
	ck_assert_uint_eq(w.len, 4);
	ck_assert_mem_eq(w.data, "\x88\x02\x03\xf1", 4);
	ck_assert_uint_eq(seen.n, 0);
	buf_clear(&w);
}
END_TEST

START_TEST(an_unmasked_client_frame_drops_the_connection)
{
	struct conn *c = conn_new(CONN_WS, NULL, &hooks);
	static const unsigned char bad[] = {0x81, 0x02, 'h', 'i'};
	ck_assert_int_eq(conn_on_rx(c, bad, sizeof(bad)), CDPM_EPROTO);
	ck_assert_uint_eq(seen.n, 0);
}
END_TEST

static int hook_upgrade(struct conn *c, const struct http_req *r)
{
	(void)c;
	(void)r;
	note('u');
	return 0;
}

static int hook_open_ok(struct conn *c)
{
	(void)c;
	note('o');
	return 0;
}

static const struct conn_hooks ws_hooks = {
	.upgrade = hook_upgrade,
	.open = hook_open_ok,
	.message = hook_message,
	.close = hook_close,
};

START_TEST(frames_in_the_same_read_as_the_upgrade_go_up_after_the_open)
{
	/* The handshake of RFC 6455 1.3, with a CDP frame right behind it. */
	static const char req[] = "GET /devtools/browser/x HTTP/1.1\r\nHost: 127.0.0.1:9222\r\n"
				  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
				  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				  "Sec-WebSocket-Version: 13\r\n\r\n";
	struct conn *c = conn_new(CONN_HTTP, NULL, &ws_hooks);
	unsigned char in[512];
	size_t n = sizeof(req) - 1;
	memcpy(in, req, n);
	size_t f = client_frame(in + n, "{\"id\":1}", 8);
	ck_assert_int_eq(conn_on_rx(c, in, n + f), 0);
	ck_assert_int_eq(c->kind, CONN_WS);
	ck_assert_str_eq(seen.calls, "uom");
	ck_assert_str_eq(seen.msgs[0], "{\"id\":1}");
	ck_assert_uint_eq(c->rx_bytes, f); /* counted from the first frame byte */
	struct buf w;
	buf_init(&w, 0);
	fake_flush(c, &w);
	static const char resp[] = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
				   "Upgrade: WebSocket\r\nConnection: Upgrade\r\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
	ck_assert_uint_eq(w.len, sizeof(resp) - 1);
	ck_assert_mem_eq(w.data, resp, w.len);
	buf_clear(&w);
}
END_TEST

/* ---- output ---- */

START_TEST(a_tap_that_passes_sees_the_message_and_it_is_framed)
{
	struct conn *c = pipe_conn();
	conn_set_tap(c, &fake_tap_pass);
	struct buf b, wire;
	msg(&b, "{\"id\":1,\"result\":{}}");
	ck_assert_int_eq(conn_send(c, &b, "SID", "X.y"), 0);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{}}");
	ck_assert_str_eq(fake_out.m[0].sid, "SID");
	ck_assert_str_eq(fake_out.m[0].method, "X.y");
	buf_init(&wire, 0);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 21);
	ck_assert_mem_eq(wire.data, "{\"id\":1,\"result\":{}}\0", 21);
	buf_clear(&wire);
}
END_TEST

START_TEST(a_tap_that_takes_the_message_leaves_the_outbox_empty)
{
	struct conn *c = pipe_conn();
	conn_set_tap(c, &fake_tap_take);
	struct buf b;
	msg(&b, "{\"method\":\"E.v\",\"params\":{}}");
	ck_assert_int_eq(conn_send(c, &b, NULL, NULL), 0);
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_int_eq(fake_out.m[0].has_sid, 0);
	ck_assert_int_eq(fake_out.m[0].has_method, 0);
	ck_assert_uint_eq(c->queued, 0);
	ck_assert_ptr_null(c->head);
	/* conn_send_now goes past the tap. */
	msg(&b, "direct");
	ck_assert_int_eq(conn_send_now(c, &b, NULL, NULL, NULL), 0);
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_uint_eq(c->queued, 7);
}
END_TEST

START_TEST(a_pipe_message_ends_with_one_nul)
{
	struct conn *c = pipe_conn();
	struct buf b;
	msg(&b, "one");
	conn_send(c, &b, NULL, NULL);
	msg(&b, "two");
	conn_send(c, &b, NULL, NULL);
	ck_assert_uint_eq(c->queued, 8);
	ck_assert_uint_eq(fake_wire(c), 2);
	ck_assert_str_eq(fake_text(0), "one");
	ck_assert_str_eq(fake_text(1), "two");
	ck_assert_uint_eq(c->queued, 0);
	ck_assert_ptr_null(c->head);
}
END_TEST

/* A text frame's header for payloads of each length class (RFC 6455 5.2). */
static const struct {
	size_t len;
	size_t hlen;
	unsigned char h[10];
} ws_sizes[] = {
	{0, 2, {0x81, 0x00}},
	{125, 2, {0x81, 125}},
	{126, 4, {0x81, 126, 0x00, 126}},
	{65535, 4, {0x81, 126, 0xff, 0xff}},
	{65536, 10, {0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}},
};

START_TEST(a_websocket_message_gets_a_text_frame_header)
{
	struct conn *c = conn_new(CONN_WS, NULL, &hooks);
	size_t n = ws_sizes[_i].len;
	struct buf b, wire;
	ck_assert_int_eq(conn_msg_begin(&b), 0);
	char *p = malloc(n + 1);
	memset(p, 'a', n);
	buf_add(&b, p, n);
	ck_assert_int_eq(conn_send(c, &b, NULL, NULL), 0);
	ck_assert_uint_eq(c->queued, ws_sizes[_i].hlen + n);
	buf_init(&wire, 0);
	/* One writable callback may stop short of a big frame: keep going. */
	while (c->head)
		fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, ws_sizes[_i].hlen + n);
	ck_assert_mem_eq(wire.data, ws_sizes[_i].h, ws_sizes[_i].hlen);
	ck_assert_mem_eq(wire.data + ws_sizes[_i].hlen, p, n);
	buf_clear(&wire);
	free(p);
}
END_TEST

START_TEST(a_binary_wire_option_sends_a_binary_frame)
{
	struct conn *c = conn_new(CONN_WS, NULL, &hooks);
	struct buf b, wire;
	struct conn_wire w = {.binary = 1};
	msg(&b, "bin");
	ck_assert_int_eq(conn_send_now(c, &b, NULL, NULL, &w), 0);
	buf_init(&wire, 0);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 5);
	ck_assert_mem_eq(wire.data, "\x82\x03" "bin", 5);
	buf_clear(&wire);
}
END_TEST

START_TEST(the_outbox_counts_queued_and_held_bytes)
{
	struct conn *c = pipe_conn();
	struct buf b;
	msg(&b, "12345");
	conn_send(c, &b, NULL, NULL);
	ck_assert_int_eq(conn_send_bytes(c, "raw", 3), 0);
	ck_assert_uint_eq(c->queued, 6 + 3);
	conn_held(c, 100);
	conn_held(c, 50);
	ck_assert_uint_eq(c->held, 150);
	conn_held(c, -40);
	ck_assert_uint_eq(c->held, 110);
	conn_held(c, -1000); /* more than is held: nothing, not a wrap */
	ck_assert_uint_eq(c->held, 0);
	struct buf wire;
	buf_init(&wire, 0);
	ck_assert_int_eq(fake_flush(c, &wire), 0);
	ck_assert_uint_eq(wire.len, 9);
	ck_assert_mem_eq(wire.data, "12345\0raw", 9);
	ck_assert_uint_eq(c->queued, 0);
	buf_clear(&wire);
}
END_TEST

/* A lazily generated payload of 'a'..'z' repeated. */
struct alpha {
	struct conn_lazy l;
	int frees;
};

static void alpha_fill(struct conn_lazy *l, uint64_t pos, char *dst, size_t n)
{
	(void)l;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)('a' + (pos + i) % 26);
}

static void alpha_free(struct conn_lazy *l)
{
	((struct alpha *)l)->frees++;
}

START_TEST(a_lazy_message_is_generated_window_by_window_and_ends_with_a_nul)
{
	struct conn *c = pipe_conn();
	/* Bigger than one window (256 KiB), so it is refilled. */
	struct alpha a = {{600 * 1024 + 7, alpha_fill, alpha_free}, 0};
	ck_assert_int_eq(conn_send_lazy(c, &a.l, "abc", 3, NULL), 0);
	struct buf b, wire;
	msg(&b, "after");
	conn_send(c, &b, NULL, NULL);
	buf_init(&wire, 0);
	for (int i = 0; i < 16 && c->head; i++)
		fake_flush(c, &wire);
	ck_assert_ptr_null(c->head);
	ck_assert_uint_eq(c->queued, 0);
	ck_assert_int_eq(a.frees, 1);
	ck_assert_uint_eq(wire.len, a.l.size + 1 + 6);
	for (size_t i = 0; i < a.l.size; i++)
		if (wire.data[i] != (char)('a' + i % 26))
			ck_abort_msg("byte %zu is %d", i, wire.data[i]);
	ck_assert_mem_eq(wire.data + a.l.size, "\0after\0", 7);
	buf_clear(&wire);
}
END_TEST

START_TEST(a_lazy_message_on_a_closed_connection_is_freed_at_once)
{
	struct conn *c = pipe_conn();
	struct alpha a = {{10, alpha_fill, alpha_free}, 0};
	conn_close_after_flush(c);
	ck_assert_int_eq(conn_send_lazy(c, &a.l, "", 0, NULL), CDPM_ECLOSED);
	ck_assert_int_eq(a.frees, 1);
}
END_TEST

/* A producer that sends n messages, one per pull, then finishes. */
struct counter {
	struct conn_producer p;
	int pulls, left;
};

static int counter_pull(struct conn_producer *p, struct conn *c)
{
	struct counter *k = (struct counter *)p;
	struct buf b;
	k->pulls++;
	msg(&b, "chunk");
	conn_send(c, &b, NULL, NULL);
	return --k->left > 0;
}

START_TEST(a_producer_is_pulled_only_below_low_water)
{
	struct conn *c = pipe_conn();
	struct counter k = {{counter_pull}, 0, 3};
	conn_held(c, CONN_LOW_WATER);
	conn_set_producer(c, &k.p);
	ck_assert_uint_eq(fake_wire(c), 0);
	ck_assert_int_eq(k.pulls, 0);
	conn_held(c, -1);
	ck_assert_uint_eq(fake_wire(c), 3);
	ck_assert_int_eq(k.pulls, 3);
	ck_assert_ptr_null(c->producer); /* finished: detached */
	ck_assert_str_eq(fake_text(2), "chunk");
}
END_TEST

START_TEST(high_water_pauses_reading_and_half_of_it_resumes)
{
	/* Pausing needs the read side's loop endpoint: adopt a socketpair as
	 * the pipe (the loop's own fds; loop_fini closes and frees them). */
	int in[2], out[2];
	struct conn *c;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, in), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, out), 0);
	ck_assert_int_eq(conn_adopt_pipe(in[0], out[0], &hooks, &c), 0);
	ck_assert_ptr_nonnull(c->ep);
	struct buf b;
	conn_held(c, CONN_HIGH_WATER);
	msg(&b, "x");
	conn_send(c, &b, NULL, NULL);
	ck_assert_int_eq(c->rx_paused, 1);
	conn_held(c, -(long long)(CONN_HIGH_WATER / 2));
	fake_wire(c);
	ck_assert_int_eq(c->rx_paused, 1); /* still at half: not yet */
	conn_held(c, -1);
	msg(&b, "y");
	conn_send(c, &b, NULL, NULL);
	fake_wire(c);
	ck_assert_int_eq(c->rx_paused, 0);
	ck_assert_str_eq(fake_text(1), "y");
	loop_fini();
	ck_assert_str_eq(seen.calls, "c"); /* the loop freed the connection */
	ck_assert_ptr_null(conn_list());
	ck_assert_int_eq(fcntl(in[0], F_GETFD), -1);
	close(in[1]);
	close(out[1]);
	if (fcntl(out[0], F_GETFD) >= 0)
		close(out[0]);
}
END_TEST

START_TEST(a_split_with_a_gap_writes_one_piece_then_pauses)
{
	struct conn *c = pipe_conn();
	struct buf b, wire;
	struct conn_wire w = {.chunk = 4, .gap_us = 1000};
	msg(&b, "abcdefghij");
	ck_assert_int_eq(conn_send_now(c, &b, NULL, NULL, &w), 0);
	ck_assert_uint_eq(c->queued, 11);
	buf_init(&wire, 0);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 4);
	ck_assert_mem_eq(wire.data, "abcd", 4);
	ck_assert_int_eq(c->write_paused, 1);
	fake_flush(c, &wire); /* paused: nothing more */
	ck_assert_uint_eq(wire.len, 4);
	fake_run_until(1000);
	ck_assert_int_eq(c->write_paused, 0);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 8);
	fake_run_until(2000);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 11);
	ck_assert_mem_eq(wire.data, "abcdefghij\0", 11);
	buf_clear(&wire);
}
END_TEST

START_TEST(a_throttle_writes_a_burst_per_interval_of_virtual_time)
{
	/* 1000 bytes/s: a burst (50 ms worth) is 50 bytes.  Tokens accrue
	 * only as the virtual clock moves, so every step is exact. */
	struct conn *c = pipe_conn();
	struct buf b, wire;
	conn_set_throttle(c, 1000);
	ck_assert_int_eq(conn_msg_begin(&b), 0);
	for (int i = 0; i < 99; i++)
		buf_addc(&b, (char)('0' + i % 10));
	conn_send(c, &b, NULL, NULL); /* 100 bytes with the NUL */
	buf_init(&wire, 0);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 0);
	ck_assert_int_eq(c->write_paused, 1);
	fake_run_until(100000);
	ck_assert_int_eq(c->write_paused, 0);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 50); /* 100 ms accrued, capped at a burst */
	ck_assert_int_eq(c->write_paused, 1);
	fake_run_until(300000);
	fake_flush(c, &wire);
	ck_assert_uint_eq(wire.len, 100);
	ck_assert_ptr_null(c->head);
	ck_assert_int_eq(wire.data[99], '\0');
	buf_clear(&wire);
}
END_TEST

/* ---- closing ---- */

START_TEST(sends_after_close_fail_with_eclosed_and_free_the_message)
{
	struct conn *c = pipe_conn();
	conn_set_tap(c, &fake_tap_pass);
	conn_close_after_flush(c);
	struct buf b;
	msg(&b, "late");
	ck_assert_int_eq(conn_send(c, &b, NULL, NULL), CDPM_ECLOSED);
	ck_assert_ptr_null(b.data);
	msg(&b, "late");
	ck_assert_int_eq(conn_send_now(c, &b, NULL, NULL, NULL), CDPM_ECLOSED);
	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(conn_send_bytes(c, "x", 1), CDPM_ECLOSED);
	ck_assert_int_eq(conn_send_frame(c, WS_OP_TEXT, "x", 1), CDPM_ECLOSED);
	ck_assert_uint_eq(fake_out.n, 0); /* the tap never saw them */
	ck_assert_uint_eq(c->queued, 0);
	/* Nothing left to write: the writable callback asks to close. */
	struct buf wire;
	buf_init(&wire, 0);
	ck_assert_int_eq(fake_flush(c, &wire), -1);
	/* Received bytes are ignored once closing. */
	ck_assert_int_eq(conn_on_rx(c, "m\0", 2), 0);
	ck_assert_uint_eq(seen.n, 0);
	buf_clear(&wire);
}
END_TEST

START_TEST(what_was_queued_before_close_still_goes_out_first)
{
	struct conn *c = pipe_conn();
	struct buf b, wire;
	msg(&b, "last words");
	conn_send(c, &b, NULL, NULL);
	conn_close_after_flush(c);
	buf_init(&wire, 0);
	ck_assert_int_eq(fake_flush(c, &wire), -1);
	ck_assert_uint_eq(wire.len, 11);
	buf_clear(&wire);
}
END_TEST

START_TEST(a_dropped_connection_discards_its_outbox)
{
	struct conn *c = pipe_conn();
	struct buf b;
	msg(&b, "never");
	conn_send(c, &b, NULL, NULL);
	conn_drop(c, 0);
	ck_assert_int_eq(c->gone, 1);
	ck_assert_uint_eq(c->queued, 0);
	ck_assert_ptr_null(c->head);
	struct buf wire;
	buf_init(&wire, 0);
	ck_assert_int_eq(fake_flush(c, &wire), -1);
	ck_assert_uint_eq(wire.len, 0);
	msg(&b, "later");
	ck_assert_int_eq(conn_send(c, &b, NULL, NULL), CDPM_ECLOSED);
	buf_clear(&wire);
}
END_TEST

START_TEST(conn_free_tells_the_tap_then_the_hooks_and_unlists)
{
	struct conn *a = pipe_conn();
	struct conn *c = pipe_conn();
	conn_set_tap(c, &byte_tap);
	struct buf b;
	msg(&b, "queued");
	conn_send(c, &b, NULL, NULL);
	ck_assert_ptr_eq(conn_list(), c);
	conn_free(c);
	ck_assert_str_eq(seen.calls, "gc");
	ck_assert_ptr_eq(conn_list(), a);
	ck_assert_ptr_null(a->next);
	conn_free(NULL);
}
END_TEST

Suite *conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *t = tcase_create("input");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, pipe_messages_go_up_whole_however_the_reads_split_them, 1,
			    (int)STREAM_LEN + 1);
	tcase_add_test(t, a_pipe_message_over_the_cap_is_an_error_and_goes_nowhere);
	tcase_add_test(t, open_and_message_go_to_the_hooks_and_no_hooks_is_fine);
	tcase_add_loop_test(t, a_byte_trigger_fires_right_after_its_byte, 1, (int)STREAM_LEN + 1);
	tcase_add_test(t, a_byte_trigger_already_passed_does_not_fire);
	tcase_add_loop_test(t, a_websocket_frame_goes_up_as_one_message_however_it_is_read, 0, 14);
	tcase_add_test(t, a_websocket_message_over_the_cap_is_refused_with_close_1009);
	tcase_add_test(t, an_unmasked_client_frame_drops_the_connection);
	tcase_add_test(t, frames_in_the_same_read_as_the_upgrade_go_up_after_the_open);
	suite_add_tcase(s, t);

	t = tcase_create("output");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, a_tap_that_passes_sees_the_message_and_it_is_framed);
	tcase_add_test(t, a_tap_that_takes_the_message_leaves_the_outbox_empty);
	tcase_add_test(t, a_pipe_message_ends_with_one_nul);
	tcase_add_loop_test(t, a_websocket_message_gets_a_text_frame_header, 0,
			    (int)CDPM_ARRAY_LEN(ws_sizes));
	tcase_add_test(t, a_binary_wire_option_sends_a_binary_frame);
	tcase_add_test(t, the_outbox_counts_queued_and_held_bytes);
	tcase_add_test(t, a_producer_is_pulled_only_below_low_water);
	tcase_add_test(t, a_lazy_message_is_generated_window_by_window_and_ends_with_a_nul);
	tcase_add_test(t, a_lazy_message_on_a_closed_connection_is_freed_at_once);
	suite_add_tcase(s, t);

	t = tcase_create("loop");
	tcase_add_checked_fixture(t, setup_loop, teardown);
	tcase_add_test(t, high_water_pauses_reading_and_half_of_it_resumes);
	tcase_add_test(t, a_split_with_a_gap_writes_one_piece_then_pauses);
	tcase_add_test(t, a_throttle_writes_a_burst_per_interval_of_virtual_time);
	suite_add_tcase(s, t);

	t = tcase_create("closing");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, sends_after_close_fail_with_eclosed_and_free_the_message);
	tcase_add_test(t, what_was_queued_before_close_still_goes_out_first);
	tcase_add_test(t, a_dropped_connection_discards_its_outbox);
	tcase_add_test(t, conn_free_tells_the_tap_then_the_hooks_and_unlists);
	suite_add_tcase(s, t);
	return s;
}
