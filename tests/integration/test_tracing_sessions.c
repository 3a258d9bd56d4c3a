/* test_tracing_sessions.c - who owns the one trace (docs/chrome.md §7.1, 4.8):
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

#include "fixture.h"

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

static void trace_page(struct fx_conn *pg, size_t *pids)
{
	struct fx_trace tr;
	fx_ok(pg, 1, "Tracing.start", NULL);
	/* A page trace blocks the browser (and the reverse, below). */
	fx_err(&fx_br, 50, "Tracing.start", NULL, -32000, STARTED);
	fx_err(&fx_br, 51, "Tracing.end", NULL, -32000, NOT_STARTED);
	usleep(50000);
	fx_ok(pg, 2, "Tracing.end", NULL);
	/* fx_collect checks the sessionId on every dataCollected and on
	 * tracingComplete. */
	fx_collect(pg, &tr, 65536, 515, 1, NULL, NULL);
	*pids = count_pids(tr.all);
	fx_trace_clear(&tr);
}

START_TEST(page_sessions_trace_with_their_session_id)
{
	struct fx_conn pg;
	struct fx_trace tr;
	size_t page_pids, browser_pids;
	fx_open(&pg, &fx_srv, fx_br.fd, fx_srv.page_id, _i ? FX_PAGE_SOCKET : FX_FLAT_SESSION);
	trace_page(&pg, &page_pids);
	fx_ok(&fx_br, 3, "Tracing.start", NULL);
	fx_err(&pg, 4, "Tracing.start", NULL, -32000, STARTED);
	fx_err(&pg, 5, "Tracing.end", NULL, -32000, NOT_STARTED);
	fx_ok(&fx_br, 6, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	browser_pids = count_pids(tr.all);
	fx_trace_clear(&tr);
	/* A page trace keeps the processes related to the page. */
	ck_assert_uint_lt(page_pids, browser_pids);
	ck_assert_uint_ge(page_pids, 3);
	fx_close(&pg);
}
END_TEST

START_TEST(page_session_streams_are_scoped_to_it)
{
	struct fx_conn pg;
	fx_open(&pg, &fx_srv, fx_br.fd, fx_srv.page_id, FX_FLAT_SESSION);
	fx_ok(&pg, 1, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	fx_ok(&pg, 2, "Tracing.end", NULL);
	fx_expect(&pg, "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
		       "false,\"stream\":\"1\",\"traceFormat\":\"json\",\"streamCompression\":"
		       "\"none\"}}");
	/* The browser root on the same socket may not read it. */
	fx_err(&fx_br, 3, "IO.read", "{\"handle\":\"1\"}", -32602, "Invalid stream handle");
	fx_cmd_expect(
	    &pg, 4, "IO.read", "{\"handle\":\"1\",\"size\":5}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":false,\"data\":\"{\\\"tra\",\"eof\":false}}");
	/* Browser streams share the counter. */
	fx_ok(&fx_br, 5, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	fx_ok(&fx_br, 6, "Tracing.end", NULL);
	fx_expect(&fx_br,
		  "{\"method\":\"Tracing.tracingComplete\",\"params\":{*\"stream\":\"2\"*}}");
	fx_err(&pg, 7, "IO.close", "{\"handle\":\"2\"}", -32602, "Invalid stream handle");
	fx_ok(&pg, 8, "IO.close", "{\"handle\":\"1\"}");
	fx_ok(&fx_br, 9, "IO.close", "{\"handle\":\"2\"}");
	fx_close(&pg);
}
END_TEST

START_TEST(a_second_client_is_refused_and_hears_nothing)
{
	struct fx_conn other;
	struct fx_trace tr;
	fx_browser(&other, &fx_srv);
	fx_ok(&fx_br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":250}");
	fx_err(&other, 1, "Tracing.start", NULL, -32000, STARTED);
	fx_err(&other, 2, "Tracing.end", NULL, -32000, NOT_STARTED);
	fx_err(&other, 3, "Tracing.recordClockSyncMarker", "{\"syncId\":\"x\"}", -32000,
	       NOT_STARTED);
	fx_err(&other, 4, "Tracing.requestMemoryDump", NULL, -32000, NOT_STARTED);
	fx_expect(&fx_br, "{\"method\":\"Tracing.bufferUsage\",*}");
	fx_cmd(&fx_br, 2, "Tracing.end", NULL);
	/* A later tick may race the end reply. */
	while (!strncmp(fx_next(&fx_br), "{\"method\":\"Tracing.bufferUsage\"", 30))
		;
	ck_assert_str_eq(fx_br.msg.data, "{\"id\":2,\"result\":{}}");
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	fx_trace_clear(&tr);
	ck_assert(fx_quiet(&other, 300));
	fx_close(&other);
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
	struct fx_server s2;
	struct fx_conn own, next;
	const char *knobs = _i == GONE_MID_DELIVERY ? "tracing.events=200000" : NULL;
	fx_start_knobs(&s2, knobs, NULL);
	fx_browser(&next, &s2);
	if (_i == GONE_DETACH) {
		fx_open(&own, &s2, next.fd, s2.page_id, FX_FLAT_SESSION);
	} else if (_i == GONE_PAGE_SOCKET) {
		fx_open(&own, &s2, next.fd, s2.page_id, FX_PAGE_SOCKET);
	} else {
		fx_browser(&own, &s2);
	}
	fx_ok(&own, 1, "Tracing.start",
	      _i == GONE_STREAM ? "{\"transferMode\":\"ReturnAsStream\"}" : NULL);
	switch (_i) {
	case GONE_RESET: {
		struct linger lg = {1, 0};
		setsockopt(own.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	}
	case GONE_AFTER_END:
		fx_cmd(&own, 2, "Tracing.end", NULL);
		break;
	case GONE_MID_DELIVERY:
		fx_ok(&own, 2, "Tracing.end", NULL);
		for (int i = 0; i < 5; i++)
			ck_assert_int_eq(
			    strncmp(fx_next(&own), "{\"method\":\"Tracing.dataCollected\"", 33), 0);
		break;
	case GONE_STREAM:
		fx_ok(&own, 2, "Tracing.end", NULL);
		fx_expect(&own, "{\"method\":\"Tracing.tracingComplete\",*}");
		break;
	case GONE_DETACH: {
		char req[256];
		snprintf(
		    req, sizeof(req),
		    "{\"id\":7,\"method\":\"Target.detachFromTarget\",\"params\":{\"sessionId\":"
		    "\"%s\"}}",
		    own.sid);
		ck_assert_int_eq(fx_ws_text(next.fd, req), 0);
		fx_expect(&next, "{\"method\":\"Target.detachedFromTarget\",*}");
		fx_expect(&next, "{\"id\":7,\"result\":{}}");
		/* No tracingComplete: the browser may trace at once. */
		fx_ok(&next, 8, "Tracing.start", NULL);
		ck_assert(fx_quiet(&next, 200));
		fx_close(&own);
		fx_close(&next);
		fx_stop(&s2);
		return;
	}
	default:
		break;
	}
	fx_close(&own);
	/* The new client's first start succeeds (Chrome: within ~10 ms). */
	usleep(fx_slow() ? 300000 : 20000);
	fx_ok(&next, 3, "Tracing.start", NULL);
	struct fx_trace tr;
	fx_ok(&next, 4, "Tracing.end", NULL);
	fx_collect(&next, &tr, 65536, 515, 0, NULL, NULL);
	fx_trace_clear(&tr);
	fx_close(&next);
	fx_stop(&s2);
}
END_TEST

START_TEST(two_sessions_on_one_socket_share_the_one_trace)
{
	char tid[33];
	struct fx_conn a, b;
	fx_new_page(fx_br.fd, tid);
	fx_open(&a, &fx_srv, fx_br.fd, fx_srv.page_id, FX_FLAT_SESSION);
	fx_open(&b, &fx_srv, fx_br.fd, tid, FX_FLAT_SESSION);
	fx_ok(&a, 1, "Tracing.start", NULL);
	fx_err(&b, 2, "Tracing.start", NULL, -32000, STARTED);
	fx_err(&b, 3, "Tracing.end", NULL, -32000, NOT_STARTED);
	struct fx_trace tr;
	fx_ok(&a, 4, "Tracing.end", NULL);
	fx_collect(&a, &tr, 65536, 515, 0, NULL, NULL);
	fx_trace_clear(&tr);
	fx_ok(&b, 5, "Tracing.start", NULL);
	fx_close(&a);
	fx_close(&b);
}
END_TEST

Suite *tracing_sessions_suite(void);

Suite *tracing_sessions_suite(void)
{
	Suite *s = suite_create("tracing_sessions");
	TCase *tc = tcase_create("sessions");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, page_sessions_trace_with_their_session_id, 0, 2);
	tcase_add_test(tc, page_session_streams_are_scoped_to_it);
	tcase_add_test(tc, a_second_client_is_refused_and_hears_nothing);
	tcase_add_loop_test(tc, the_owner_going_away_discards_the_trace, 0, GONE_COUNT);
	tcase_add_test(tc, two_sessions_on_one_socket_share_the_one_trace);
	suite_add_tcase(s, tc);
	return s;
}
