/* fake.c - the recording tap, the wire read-back, per-test process state
 * and the loop driver of the pipeline's unit suites (see fake.h). */
#include "fake.h"

#include "cdp/protocol.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cdp/targets.h"
#include "clock.h"
#include "journal.h"
#include "net/loop.h"
#include "scenario/scenario.h"
#include "scenario/scenload.h"
#include "script/script.h"
#include "server.h"

struct fake_log fake_out;
static int fake_loop_on;

static void fake_record(struct conn *c, const char *text, size_t len, const char *sid,
			const char *method)
{
	ck_assert_msg(fake_out.n < FAKE_LOG_MAX, "more than %d messages recorded", FAKE_LOG_MAX);
	struct fake_msg *m = &fake_out.m[fake_out.n++];
	memset(m, 0, sizeof(*m));
	m->c = c;
	m->text = malloc(len + 1);
	ck_assert_ptr_nonnull(m->text);
	memcpy(m->text, text, len);
	m->text[len] = '\0';
	m->len = len;
	m->has_sid = sid != NULL;
	m->has_method = method != NULL;
	snprintf(m->sid, sizeof(m->sid), "%s", sid ? sid : "");
	snprintf(m->method, sizeof(m->method), "%s", method ? method : "");
}

static int fake_tap_out_take(struct conn *c, struct buf *b, const char *sid, const char *method)
{
	fake_record(c, b->data + CONN_HEADROOM, b->len - CONN_HEADROOM, sid, method);
	buf_clear(b);
	return 0;
}

static int fake_tap_out_pass(struct conn *c, struct buf *b, const char *sid, const char *method)
{
	fake_record(c, b->data + CONN_HEADROOM, b->len - CONN_HEADROOM, sid, method);
	return CONN_PASS;
}

const struct conn_tap fake_tap_take = {.out = fake_tap_out_take};
const struct conn_tap fake_tap_pass = {.out = fake_tap_out_pass};

void fake_log_clear(void)
{
	for (size_t i = 0; i < fake_out.n; i++)
		free(fake_out.m[i].text);
	memset(&fake_out, 0, sizeof(fake_out));
}

const char *fake_text(size_t i)
{
	return i < fake_out.n ? fake_out.m[i].text : "";
}

int fake_flush(struct conn *c, struct buf *out)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	int saved = c->out_fd;
	c->out_fd = sv[0];
	int rc = conn_on_writable(c);
	c->out_fd = saved;
	char tmp[65536];
	ssize_t n;
	while ((n = read(sv[1], tmp, sizeof(tmp))) > 0)
		buf_add(out, tmp, (size_t)n);
	close(sv[0]);
	close(sv[1]);
	return rc;
}

size_t fake_wire(struct conn *c)
{
	struct buf w;
	size_t k = 0, start = 0;
	buf_init(&w, 0);
	fake_flush(c, &w);
	for (size_t i = 0; i < w.len; i++) {
		if (w.data[i])
			continue;
		fake_record(c, w.data + start, i - start, NULL, NULL);
		start = i + 1;
		k++;
	}
	ck_assert_msg(start == w.len, "the wire ends inside a message");
	buf_clear(&w);
	return k;
}

void fake_up(const struct domain *const *domains, size_t n, router_dispatch_fn dispatch,
	     int loop)
{
	server_defaults();
	clock_set_mode(CLOCK_MODE_VIRTUAL);
	rng_init(&server.rng, 0);
	fake_log_clear();
	ck_assert_int_eq(targets_init(NULL, 0), 0);
	router_init(domains, n, dispatch);
	/* The test domain is in no descriptor: scenarios may still name it. */
	static const char *const fake_commands[] = {"Fake.echo",  "Fake.defer", "Fake.error",
						    "Fake.fail",  "Fake.reply", "Fake.silent",
						    "Fake.event"};
	static const char *const fake_events[] = {"Fake.event", "Fake.happened"};
	protocol_declare(NULL, 0);
	for (size_t i = 0; i < sizeof(fake_commands) / sizeof(fake_commands[0]); i++)
		protocol_declare(fake_commands[i], PROTOCOL_COMMANDS);
	for (size_t i = 0; i < sizeof(fake_events) / sizeof(fake_events[0]); i++)
		protocol_declare(fake_events[i], PROTOCOL_EVENTS);
	/* The suites read what was sent back from the journal ring. */
	journal_ring_limit((size_t)4 << 20);
	fake_loop_on = loop;
	if (loop)
		ck_assert_int_eq(loop_init(), 0);
}

void fake_down(void)
{
	while (conn_list())
		conn_free(conn_list());
	if (fake_loop_on)
		loop_fini();
	fake_loop_on = 0;
	script_fini();
	targets_fini();
	scenario_fini();
	journal_close();
	journal_ring_limit(0);
	router_init(NULL, 0, NULL);
	protocol_declare(NULL, 0);
	fake_log_clear();
	clock_set_mode(CLOCK_MODE_REAL);
}

void fake_scenario(const char *text)
{
	struct buf err, full;
	struct scenario *sc = NULL;
	buf_init(&err, 0);
	buf_init(&full, 0);
	/* Every scenario needs a description: the case's text follows it. */
	ck_assert_int_eq(text[0], '{');
	buf_adds(&full, "{\"description\":\"a unit test\"");
	if (text[1] != '}')
		buf_addc(&full, ',');
	buf_adds(&full, text + 1);
	int rc = scenload_text(full.data, full.len, "t.json", &err, &sc);
	ck_assert_msg(rc == 0, "scenario: %s", err.data ? err.data : "?");
	buf_clear(&err);
	buf_clear(&full);
	scenario_install(sc);
	ck_assert_int_eq(script_start(), 0);
}

/* What main.c hands a CDP connection, minus the socket-only hooks. */
static const struct conn_hooks fake_cdp_hooks = {
	.message = router_on_message,
	.close = session_close_all,
};

struct conn *fake_cdp_conn(int script)
{
	struct conn *c = conn_new(CONN_PIPE, NULL, &fake_cdp_hooks);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(session_open_root(c), 0);
	if (script)
		ck_assert_int_eq(script_conn_open(c), 0);
	return c;
}

static void fake_stop(struct loop_timer *t)
{
	(void)t;
	loop_stop();
}

void fake_run_until(int64_t at_us)
{
	struct loop_timer stop;
	memset(&stop, 0, sizeof(stop));
	int64_t delay = CLOCK_VIRTUAL_START_US + at_us - clock_now_us();
	ck_assert_int_ge(delay, 0);
	loop_timer_arm(&stop, delay, fake_stop);
	loop_run();
	loop_timer_cancel(&stop);
	ck_assert_int_eq(clock_now_us(), CLOCK_VIRTUAL_START_US + at_us);
}
