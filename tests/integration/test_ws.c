/* test_ws.c - WebSocket framing as Chrome does it (docs/chrome.md §3.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static struct buf msg;
static int fd = -1;

static const char getversion[] = "{\"id\":1,\"method\":\"Browser.getVersion\"}";

static void setup(void)
{
	static const char *const args[] = {"--max-message-size=400000", NULL};
	fx_start(&fx_srv, args);
	buf_init(&msg, 0);
}

static void teardown(void)
{
	fx_teardown_server();
	buf_clear(&msg);
}

static void open_browser(void)
{
	fd = fx_ws_browser(&fx_srv);
}

static void close_fd(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
}

START_TEST(reply_is_one_unmasked_text_frame)
{
	open_browser();
	ck_assert_int_eq(fx_ws_text(fd, getversion), 0);
	int op, rsv;
	ck_assert_int_eq(fx_ws_read(fd, 5000, &op, &rsv, &msg), 0);
	ck_assert_int_eq(op, 1);
	ck_assert_int_eq(rsv, 0);
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":1,\"result\":{\"protocolVersion\":\"1.3\"", 40), 0);
	close_fd();
}
END_TEST

START_TEST(fragments_are_reassembled)
{
	open_browser();
	size_t n = strlen(getversion);
	ck_assert_int_eq(fx_ws_frame(fd, 0, 0, 1, 1, getversion, 10), 0);
	ck_assert_int_eq(fx_ws_frame(fd, 0, 0, 0, 1, getversion + 10, 10), 0);
	/* A ping between fragments is allowed and answered at once. */
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 9, 1, "mid", 3), 0);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 0, 1, getversion + 20, n - 20), 0);
	int op;
	ck_assert_int_eq(fx_ws_read(fd, 5000, &op, NULL, &msg), 0);
	ck_assert_int_eq(op, 10);
	ck_assert_str_eq(msg.data, "mid");
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":1,\"result\":", 17), 0);
	close_fd();
}
END_TEST

START_TEST(big_client_frame_is_accepted)
{
	/* 300 kB: unknown params are ignored, so the reply is normal. */
	open_browser();
	struct buf big;
	buf_init(&big, 0);
	buf_adds(&big, "{\"id\":7,\"method\":\"Browser.getVersion\",\"params\":{\"pad\":\"");
	for (int i = 0; i < 300000; i++)
		buf_addc(&big, 'x');
	buf_adds(&big, "\"}}");
	ck_assert_int_eq(fx_ws_text(fd, big.data), 0);
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":7,\"result\":", 17), 0);
	buf_clear(&big);
	close_fd();
}
END_TEST

START_TEST(over_the_cap_closes_with_1009)
{
	open_browser();
	struct buf big;
	buf_init(&big, 0);
	for (int i = 0; i < 400001; i++)
		buf_addc(&big, ' ');
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 1, 1, big.data, big.len), 0);
	int op;
	ck_assert_int_eq(fx_ws_read(fd, 5000, &op, NULL, &msg), 0);
	ck_assert_int_eq(op, 8);
	ck_assert_uint_eq(msg.len, 2);
	ck_assert_int_eq((unsigned char)msg.data[0] << 8 | (unsigned char)msg.data[1], 1009);
	ck_assert(fx_eof(fd, 5000));
	buf_clear(&big);
	close_fd();
	/* The server is still fine. */
	open_browser();
	ck_assert_int_eq(fx_ws_call(fd, getversion, &msg), 0);
	close_fd();
}
END_TEST

START_TEST(ping_pong)
{
	open_browser();
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 10, 1, "unsolicited", 11), 0);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 9, 1, "hello", 5), 0);
	int op;
	ck_assert_int_eq(fx_ws_read(fd, 5000, &op, NULL, &msg), 0);
	ck_assert_int_eq(op, 10);
	ck_assert_str_eq(msg.data, "hello");
	close_fd();
}
END_TEST

static const struct {
	const char *payload;
	size_t len;
} close_rows[] = {{"", 0}, {"\x03\xe8", 2}, {"\x03\xe9" "bye", 5}};

START_TEST(close_is_answered_with_1000)
{
	open_browser();
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 8, 1, close_rows[_i].payload, close_rows[_i].len),
			 0);
	int op;
	ck_assert_int_eq(fx_ws_read(fd, 5000, &op, NULL, &msg), 0);
	ck_assert_int_eq(op, 8);
	ck_assert_uint_eq(msg.len, 2);
	ck_assert_int_eq(memcmp(msg.data, "\x03\xe8", 2), 0);
	ck_assert(fx_eof(fd, 5000));
	close_fd();
}
END_TEST

/* Each of these drops TCP at once: no close frame, no reply. */
static const struct {
	int fin, rsv, opcode, masked;
} drop_rows[] = {
	{1, 0, 2, 1}, /* binary */
	{1, 0, 1, 0}, /* unmasked text */
	{1, 0, 3, 1}, /* reserved opcode */
	{1, 0, 0, 1}, /* continuation without a start */
	{1, 4, 1, 1}, /* RSV1 without permessage-deflate */
	{0, 0, 9, 1}, /* fragmented ping */
};

START_TEST(violations_drop_tcp)
{
	open_browser();
	ck_assert_int_eq(fx_ws_frame(fd, drop_rows[_i].fin, drop_rows[_i].rsv, drop_rows[_i].opcode,
				     drop_rows[_i].masked, getversion, strlen(getversion)),
			 0);
	int op;
	ck_assert_int_ne(fx_ws_read(fd, 3000, &op, NULL, &msg), 0);
	ck_assert_uint_eq(msg.len, 0);
	close_fd();
}
END_TEST

START_TEST(invalid_utf8_is_a_json_error)
{
	open_browser();
	/* crdtp reports a bad string at its opening quote: here position 1. */
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 1, 1, "{\"\xff\":1}", 7), 0);
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	ck_assert_str_eq(msg.data, "{\"error\":{\"code\":-32700,\"message\":\"JSON: invalid string at "
				   "position 1\"}}");
	ck_assert_int_eq(fx_ws_call(fd, getversion, &msg), 0);
	close_fd();
}
END_TEST

START_TEST(many_clients_have_their_own_ids)
{
	char path[128];
	int fds[8];
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), i % 2 ? "/devtools/page/%s" : "/devtools/browser/%s",
			 i % 2 ? fx_srv.page_id : fx_srv.browser_id);
		fds[i] = fx_ws_open(&fx_srv, path, NULL, NULL);
		ck_assert_int_ge(fds[i], 0);
	}
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(fx_ws_text(fds[i], getversion), 0);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(fx_ws_next_text(fds[i], 5000, &msg), 0);
		ck_assert_int_eq(strncmp(msg.data, "{\"id\":1,\"result\":", 17), 0);
		close(fds[i]);
	}
}
END_TEST

Suite *ws_suite(void);
Suite *ws_suite(void)
{
	Suite *s = suite_create("ws");
	TCase *tc = tcase_create("framing");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reply_is_one_unmasked_text_frame);
	tcase_add_test(tc, fragments_are_reassembled);
	tcase_add_test(tc, big_client_frame_is_accepted);
	tcase_add_test(tc, over_the_cap_closes_with_1009);
	tcase_add_test(tc, ping_pong);
	tcase_add_loop_test(tc, close_is_answered_with_1000, 0, 3);
	tcase_add_loop_test(tc, violations_drop_tcp, 0,
			    (int)(sizeof(drop_rows) / sizeof(drop_rows[0])));
	tcase_add_test(tc, invalid_utf8_is_a_json_error);
	tcase_add_test(tc, many_clients_have_their_own_ids);
	suite_add_tcase(s, tc);
	return s;
}
