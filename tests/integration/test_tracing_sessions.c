/* test_tracing_sessions.c - who owns the one trace (CHROMIUM.md 4.7, 4.8):
 * page sessions and page sockets trace with sessionId on every frame, a
 * second client or session is refused and hears nothing, and the owner
 * going away - clean close, RST, detach - at any phase discards the trace
 * so that the next start succeeds at once. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_tracing_util.h"

static struct harness_server srv;
static struct ptest br;

static void setup(void)
{
	itest_start(&srv, NULL);
	tt_browser(&br, &srv);
}

static void teardown(void)
{
	ptest_close(&br);
	itest_stop(&srv);
}

#define STARTED "Tracing has already been started (possibly in another tab)."
#define NOT_STARTED "Tracing is not started"

static size_t count_pids(json_t *all)
{
	json_t *pids = json_object();
	size_t i, n;
	json_t *ev;
	char key[32];
	json_array_foreach(all, i, ev)
	{
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(ev, "pid")));
		json_object_set_new(pids, key, json_true());
	}
	n = json_object_size(pids);
	json_decref(pids);
	return n;
}

static void trace_page(struct ptest *pg, size_t *pids)
{
	struct tt_trace tr;
	tt_ok(pg, 1, "Tracing.start", NULL);
	/* A page trace blocks the browser (and the reverse, below). */
	tt_err(&br, 50, "Tracing.start", NULL, -32000, STARTED);
	tt_err(&br, 51, "Tracing.end", NULL, -32000, NOT_STARTED);
	usleep(50000);
	tt_ok(pg, 2, "Tracing.end", NULL);
	/* tt_collect checks the sessionId on every dataCollected and on
	 * tracingComplete. */
	tt_collect(pg, &tr, 65536, 515, 1, NULL, NULL);
	*pids = count_pids(tr.all);
	tt_trace_clear(&tr);
}

START_TEST(page_sessions_trace_with_their_session_id)
{
	struct ptest pg;
	struct tt_trace tr;
	size_t page_pids, browser_pids;
	ptest_open(&pg, &srv, br.fd, srv.page_id, _i ? PTEST_PAGE_SOCKET : PTEST_FLAT_SESSION);
	trace_page(&pg, &page_pids);
	tt_ok(&br, 3, "Tracing.start", NULL);
	tt_err(&pg, 4, "Tracing.start", NULL, -32000, STARTED);
	tt_err(&pg, 5, "Tracing.end", NULL, -32000, NOT_STARTED);
	tt_ok(&br, 6, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 1, NULL, NULL);
	browser_pids = count_pids(tr.all);
	tt_trace_clear(&tr);
	/* A page trace keeps the processes related to the page. */
	ck_assert_uint_lt(page_pids, browser_pids);
	ck_assert_uint_ge(page_pids, 3);
	ptest_close(&pg);
}
END_TEST

START_TEST(page_session_streams_are_scoped_to_it)
{
	struct ptest pg;
	ptest_open(&pg, &srv, br.fd, srv.page_id, PTEST_FLAT_SESSION);
	tt_ok(&pg, 1, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	tt_ok(&pg, 2, "Tracing.end", NULL);
	ptest_expect(&pg,
		     "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
		     "false,\"stream\":\"1\",\"traceFormat\":\"json\",\"streamCompression\":"
		     "\"none\"}}");
	/* The browser root on the same socket may not read it. */
	tt_err(&br, 3, "IO.read", "{\"handle\":\"1\"}", -32602, "Invalid stream handle");
	tt_call(
	    &pg, 4, "IO.read", "{\"handle\":\"1\",\"size\":5}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":false,\"data\":\"{\\\"tra\",\"eof\":false}}");
	/* Browser streams share the counter. */
	tt_ok(&br, 5, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	tt_ok(&br, 6, "Tracing.end", NULL);
	ptest_expect(&br,
		     "{\"method\":\"Tracing.tracingComplete\",\"params\":{*\"stream\":\"2\"*}}");
	tt_err(&pg, 7, "IO.close", "{\"handle\":\"2\"}", -32602, "Invalid stream handle");
	tt_ok(&pg, 8, "IO.close", "{\"handle\":\"1\"}");
	tt_ok(&br, 9, "IO.close", "{\"handle\":\"2\"}");
	ptest_close(&pg);
}
END_TEST

START_TEST(a_second_client_is_refused_and_hears_nothing)
{
	struct ptest other;
	struct tt_trace tr;
	tt_browser(&other, &srv);
	tt_ok(&br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":250}");
	tt_err(&other, 1, "Tracing.start", NULL, -32000, STARTED);
	tt_err(&other, 2, "Tracing.end", NULL, -32000, NOT_STARTED);
	tt_err(&other, 3, "Tracing.recordClockSyncMarker", "{\"syncId\":\"x\"}", -32000,
	       NOT_STARTED);
	tt_err(&other, 4, "Tracing.requestMemoryDump", NULL, -32000, NOT_STARTED);
	ptest_expect(&br, "{\"method\":\"Tracing.bufferUsage\",*}");
	tt_send(&br, 2, "Tracing.end", NULL);
	/* A later tick may race the end reply. */
	while (!strncmp(ptest_next(&br), "{\"method\":\"Tracing.bufferUsage\"", 30))
		;
	ck_assert_str_eq(br.msg.data, "{\"id\":2,\"result\":{}}");
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	tt_trace_clear(&tr);
	ck_assert(ptest_quiet(&other, 300));
	ptest_close(&other);
}
END_TEST

/* The phases at which the owner goes away; each loop index is one. */
enum gone_at {
	GONE_RECORDING,	   /* clean close while recording */
	GONE_RESET,	   /* TCP RST while recording */
	GONE_AFTER_END,	   /* right after sending Tracing.end */
	GONE_MID_DELIVERY, /* after reading some dataCollected frames */
	GONE_STREAM,	   /* with an unread stream */
	GONE_DETACH,	   /* a page session detaches while tracing */
	GONE_PAGE_SOCKET,  /* a page socket closes while tracing */
	GONE_COUNT,
};

START_TEST(the_owner_going_away_discards_the_trace)
{
	struct harness_server s2;
	struct ptest own, next;
	const char *knobs = _i == GONE_MID_DELIVERY ? "tracing.events=200000" : NULL;
	tt_start(&s2, knobs, NULL);
	tt_browser(&next, &s2);
	if (_i == GONE_DETACH) {
		ptest_open(&own, &s2, next.fd, s2.page_id, PTEST_FLAT_SESSION);
	} else if (_i == GONE_PAGE_SOCKET) {
		ptest_open(&own, &s2, next.fd, s2.page_id, PTEST_PAGE_SOCKET);
	} else {
		tt_browser(&own, &s2);
	}
	tt_ok(&own, 1, "Tracing.start",
	      _i == GONE_STREAM ? "{\"transferMode\":\"ReturnAsStream\"}" : NULL);
	switch (_i) {
	case GONE_RESET: {
		struct linger lg = {1, 0};
		setsockopt(own.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	}
	case GONE_AFTER_END:
		tt_send(&own, 2, "Tracing.end", NULL);
		break;
	case GONE_MID_DELIVERY:
		tt_ok(&own, 2, "Tracing.end", NULL);
		for (int i = 0; i < 5; i++)
			ck_assert_int_eq(
			    strncmp(ptest_next(&own), "{\"method\":\"Tracing.dataCollected\"", 33),
			    0);
		break;
	case GONE_STREAM:
		tt_ok(&own, 2, "Tracing.end", NULL);
		ptest_expect(&own, "{\"method\":\"Tracing.tracingComplete\",*}");
		break;
	case GONE_DETACH: {
		char req[256];
		snprintf(
		    req, sizeof(req),
		    "{\"id\":7,\"method\":\"Target.detachFromTarget\",\"params\":{\"sessionId\":"
		    "\"%s\"}}",
		    own.sid);
		ck_assert_int_eq(harness_ws_text(next.fd, req), 0);
		ptest_expect(&next, "{\"method\":\"Target.detachedFromTarget\",*}");
		ptest_expect(&next, "{\"id\":7,\"result\":{}}");
		/* No tracingComplete: the browser may trace at once. */
		tt_ok(&next, 8, "Tracing.start", NULL);
		ck_assert(ptest_quiet(&next, 200));
		ptest_close(&own);
		ptest_close(&next);
		itest_stop(&s2);
		return;
	}
	default:
		break;
	}
	ptest_close(&own);
	/* The new client's first start succeeds (Chrome: within ~10 ms). */
	usleep(tt_slow() ? 300000 : 20000);
	tt_ok(&next, 3, "Tracing.start", NULL);
	struct tt_trace tr;
	tt_ok(&next, 4, "Tracing.end", NULL);
	tt_collect(&next, &tr, 65536, 515, 0, NULL, NULL);
	tt_trace_clear(&tr);
	ptest_close(&next);
	itest_stop(&s2);
}
END_TEST

START_TEST(two_sessions_on_one_socket_share_the_one_trace)
{
	char tid[33];
	struct ptest a, b;
	ptest_new_page(br.fd, tid);
	ptest_open(&a, &srv, br.fd, srv.page_id, PTEST_FLAT_SESSION);
	ptest_open(&b, &srv, br.fd, tid, PTEST_FLAT_SESSION);
	tt_ok(&a, 1, "Tracing.start", NULL);
	tt_err(&b, 2, "Tracing.start", NULL, -32000, STARTED);
	tt_err(&b, 3, "Tracing.end", NULL, -32000, NOT_STARTED);
	struct tt_trace tr;
	tt_ok(&a, 4, "Tracing.end", NULL);
	tt_collect(&a, &tr, 65536, 515, 0, NULL, NULL);
	tt_trace_clear(&tr);
	tt_ok(&b, 5, "Tracing.start", NULL);
	ptest_close(&a);
	ptest_close(&b);
}
END_TEST

Suite *tracing_sessions_suite(void);

Suite *tracing_sessions_suite(void)
{
	Suite *s = suite_create("tracing_sessions");
	TCase *tc = tcase_create("sessions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, page_sessions_trace_with_their_session_id, 0, 2);
	tcase_add_test(tc, page_session_streams_are_scoped_to_it);
	tcase_add_test(tc, a_second_client_is_refused_and_hears_nothing);
	tcase_add_loop_test(tc, the_owner_going_away_discards_the_trace, 0, GONE_COUNT);
	tcase_add_test(tc, two_sessions_on_one_socket_share_the_one_trace);
	suite_add_tcase(s, tc);
	return s;
}
