/* test_targets.c - targets and sessions: the pages made at start (none,
 * the default, a list), ids reproducible from the seed and again after a
 * reset or reseed, closing a page (its sessions detached with
 * Target.detachedFromTarget, discoverers told targetDestroyed, page sockets
 * and their sessions dropped, the domains' hooks called), and the order of
 * sessions. */
#include <check.h>
#include <string.h>

#include "cdp/attach.h"
#include "cdp/router.h"
#include "cdp/targets.h"
#include "cdpm.h"
#include "fake.h"
#include "server.h"

Suite *targets_suite(void); /* the generated runner's entry point */

/* What the fake domain's hooks saw: "s<sid>;" and "t<target id>;". */
static char gone[1024];

static void fake_session_gone(struct session *s)
{
	size_t n = strlen(gone);
	snprintf(gone + n, sizeof(gone) - n, "s%s;", s->id);
}

static void fake_target_gone(struct target *t)
{
	size_t n = strlen(gone);
	snprintf(gone + n, sizeof(gone) - n, "t%s;", t->id);
}

static const struct domain hooks_domain = {
	"Hooks", TARGET_BROWSER | TARGET_PAGE, NULL, 0, fake_session_gone, fake_target_gone,
};
static const struct domain *const table[] = {&hooks_domain};

static void setup(void)
{
	gone[0] = '\0';
	fake_up(table, 1, NULL, 0);
	targets_fini(); /* each case makes its own */
}

static void teardown(void)
{
	fake_down();
}

static void start(uint64_t seed, const struct target_page *pages, size_t n)
{
	targets_fini();
	rng_init(&server.rng, seed);
	server.next_target_seq = 1;
	ck_assert_int_eq(targets_init(pages, n), 0);
	gone[0] = '\0'; /* what targets_fini() told the domains */
}

static int is_hex(const char *s, size_t n, int upper)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(upper ? "0123456789ABCDEF" : "0123456789abcdef", s[i]))
			return 0;
	return s[n] == '\0';
}

static size_t count_pages(void)
{
	size_t n = 0;
	for (struct target *t = targets_next(NULL); t; t = targets_next(t))
		n += t->type == TARGET_PAGE;
	return n;
}

static const struct target_page three[] = {
	{"https://a.test/", "A"}, {"https://b.test/", NULL}, {"https://c.test/", "C"},
};

START_TEST(no_page_list_means_one_blank_page)
{
	start(0, NULL, 0);
	struct target *b = targets_browser(), *p = targets_first_page();
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->type, TARGET_BROWSER);
	ck_assert_uint_eq(strlen(b->id), 36);
	ck_assert(b->id[8] == '-' && b->id[13] == '-' && b->id[18] == '-' && b->id[23] == '-');
	ck_assert(is_hex(b->id + 24, 12, 0));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->url, "about:blank");
	ck_assert_str_eq(p->title, "");
	ck_assert(is_hex(p->id, 32, 1));
	ck_assert(is_hex(p->context_id, 32, 1));
	ck_assert_str_eq(p->context_id, b->context_id);
	ck_assert_uint_eq(count_pages(), 1);
	ck_assert_ptr_eq(targets_find(p->id), p);
	ck_assert_ptr_eq(targets_find(b->id), b);
	ck_assert_ptr_null(targets_find("nope"));
}
END_TEST

START_TEST(an_empty_page_list_means_no_pages)
{
	start(0, three, 0);
	ck_assert_ptr_null(targets_first_page());
	ck_assert_ptr_eq(targets_next(NULL), targets_browser());
	ck_assert_ptr_null(targets_next(targets_browser()));
}
END_TEST

START_TEST(pages_are_listed_newest_first_in_file_order)
{
	start(0, three, 3);
	struct target *t = targets_next(NULL);
	ck_assert_str_eq(t->url, "https://a.test/");
	ck_assert_str_eq(t->title, "A");
	t = targets_next(t);
	ck_assert_str_eq(t->url, "https://b.test/");
	ck_assert_str_eq(t->title, "");
	t = targets_next(t);
	ck_assert_str_eq(t->url, "https://c.test/");
	ck_assert_ptr_eq(targets_next(t), targets_browser());
	ck_assert_uint_gt(targets_first_page()->seq, t->seq);
}
END_TEST

START_TEST(the_command_line_url_replaces_the_first_page)
{
	server.opts.url = "https://cli.test/";
	start(0, three, 3);
	ck_assert_str_eq(targets_first_page()->url, "https://cli.test/");
	ck_assert_str_eq(targets_first_page()->title, "A");
	start(0, NULL, 0);
	ck_assert_str_eq(targets_first_page()->url, "https://cli.test/");
}
END_TEST

/* Every live target's id, newest first, joined. */
static void ids(char *out, size_t n)
{
	out[0] = '\0';
	for (struct target *t = targets_next(NULL); t; t = targets_next(t)) {
		size_t k = strlen(out);
		snprintf(out + k, n - k, "%s,", t->id);
	}
}

START_TEST(ids_are_reproducible_from_the_seed)
{
	char first[512], again[512], other[512];
	start(42, three, 3);
	ids(first, sizeof(first));
	start(42, three, 3);
	ids(again, sizeof(again));
	start(43, three, 3);
	ids(other, sizeof(other));
	ck_assert_str_eq(first, again);
	ck_assert_str_ne(first, other);
	ck_assert_uint_eq(strlen(first), 36 + 3 * 32 + 4);
}
END_TEST

START_TEST(a_reset_gives_the_pages_the_ids_of_a_fresh_start)
{
	char fresh[512], after[512];
	start(7, three, 3);
	ids(fresh, sizeof(fresh));
	struct target *extra = targets_new_page("https://extra.test/");
	char extra_id[40], sid[33];
	memcpy(extra_id, extra->id, sizeof(extra_id));
	session_new_id(sid); /* draws from the rng too */
	struct conn *c = fake_cdp_conn(0);
	struct session *flat = session_new(c, extra, 0);
	char want[256];
	snprintf(want, sizeof(want), "s%s;t%s;", flat->id, extra_id);
	size_t w = strlen(want);
	for (struct target *t = extra->next; t && t->type == TARGET_PAGE; t = t->next)
		w += (size_t)snprintf(want + w, sizeof(want) - w, "t%s;", t->id);
	ck_assert_int_eq(targets_reset(three, 3), 0);
	ids(after, sizeof(after));
	ck_assert_str_eq(after, fresh);
	ck_assert_ptr_null(targets_find(extra_id)); /* and freed: valgrind and ASan see a later use */
	/* Flat sessions on the old pages go silently, then the domains hear of
	 * each page; the root session stays. */
	ck_assert_str_eq(gone, want);
	ck_assert_ptr_null(c->sessions->next);
	ck_assert_uint_eq(fake_out.n, 0);
}
END_TEST

START_TEST(a_reseed_resets_to_what_that_seed_gives_at_start)
{
	char fresh[512], reseeded[512];
	start(2, three, 3);
	ids(fresh, sizeof(fresh));
	char browser2[40];
	memcpy(browser2, targets_browser()->id, sizeof(browser2));
	start(1, three, 3);
	targets_reseed(2);
	ck_assert_int_eq(targets_reset(three, 3), 0);
	ids(reseeded, sizeof(reseeded));
	/* The pages (listed first) match seed 2's; the browser (last) keeps
	 * seed 1's id. */
	ck_assert_str_ne(targets_browser()->id, browser2);
	ck_assert_int_eq(strncmp(reseeded, fresh, 3 * 33), 0);
	ck_assert_str_ne(reseeded + 3 * 33, fresh + 3 * 33);
}
END_TEST

START_TEST(a_display_title_is_the_title_or_the_escaped_url)
{
	struct buf out;
	buf_init(&out, 0);
	start(0, three, 3);
	struct target *t = targets_new_page("https://x.test/?a=<b>&c=\"d'");
	ck_assert_int_eq(targets_display_title(t, &out), 0);
	ck_assert_str_eq(out.data, "https://x.test/?a=&lt;b&gt;&amp;c=&quot;d&#39;");
	buf_reset(&out);
	targets_display_title(t->next, &out); /* the first of three */
	ck_assert_str_eq(out.data, "A");
	buf_clear(&out);
}
END_TEST

START_TEST(every_page_has_a_tab_that_draws_nothing_from_the_rng)
{
	char before[512], after[512];
	start(42, three, 3);
	ids(before, sizeof(before));
	for (struct target *t = targets_next(NULL); t; t = targets_next(t)) {
		ck_assert_int_ne(t->type, TARGET_TAB); /* the walk is browser and pages */
		if (t->type != TARGET_PAGE)
			continue;
		struct target *tab = t->tab;
		ck_assert_ptr_nonnull(tab);
		ck_assert_int_eq(tab->type, TARGET_TAB);
		ck_assert_ptr_eq(tab->tab, t);
		ck_assert(is_hex(tab->id, 32, 1));
		ck_assert_str_ne(tab->id, t->id);
		ck_assert_str_eq(tab->context_id, t->context_id);
		ck_assert_ptr_eq(targets_find(tab->id), tab);
	}
	/* Three tabs in one context: strip indexes 0, 1, 2, oldest first. */
	struct target *newest = targets_first_page();
	ck_assert_uint_eq(targets_tab_index(newest->tab), 2);
	ck_assert_uint_eq(targets_tab_index(newest->next->next->tab), 0);
	/* The ids a seed gives are the pages' alone: a second start draws the
	 * same, and a new page after them too. */
	start(42, three, 3);
	ids(after, sizeof(after));
	ck_assert_str_eq(before, after);
	/* Closing the tab closes its page. */
	char pid[40];
	memcpy(pid, targets_first_page()->id, sizeof(pid));
	targets_close(targets_first_page()->tab);
	ck_assert_ptr_null(targets_find(pid));
	ck_assert_uint_eq(count_pages(), 2);
}
END_TEST

/* attach_filter() of the JSON text f (NULL: no filter). */
static unsigned allow_of(const char *f)
{
	json_t *j = f ? json_loads(f, 0, NULL) : NULL;
	ck_assert(!f || j);
	unsigned allow = 12345;
	attach_filter(j, &allow);
	json_decref(j);
	return allow;
}

START_TEST(the_first_matching_filter_entry_wins)
{
	ck_assert_uint_eq(allow_of(NULL), TARGET_PAGE); /* Chrome's default */
	ck_assert_uint_eq(allow_of("[]"), 0);
	ck_assert_uint_eq(allow_of("[{}]"), TARGET_BROWSER | TARGET_TAB | TARGET_PAGE);
	ck_assert_uint_eq(allow_of("[{\"type\":\"page\",\"exclude\":true},{}]"),
			  TARGET_BROWSER | TARGET_TAB);
	ck_assert_uint_eq(allow_of("[{\"type\":\"page\"},{\"type\":\"page\",\"exclude\":true}]"),
			  TARGET_PAGE);
	ck_assert_uint_eq(allow_of("[{\"type\":\"tab\",\"exclude\":true},{\"type\":\"tab\"},{}]"),
			  TARGET_BROWSER | TARGET_PAGE);
	ck_assert_uint_eq(allow_of("[{\"type\":\"worker\"}]"), 0);
	ck_assert_uint_eq(allow_of("[{\"exclude\":false,\"type\":\"browser\"}]"), TARGET_BROWSER);
	ck_assert_uint_eq(allow_of("[{\"exclude\":true}]"), 0);
}
END_TEST

START_TEST(a_context_owns_its_pages_and_goes_with_its_owner)
{
	start(0, NULL, 0);
	struct conn *c = fake_cdp_conn(0);
	struct bcontext *mine = targets_context_new(c), *kept = targets_context_new(NULL);
	ck_assert(is_hex(mine->id, 32, 1));
	ck_assert_str_ne(mine->id, kept->id);
	ck_assert_str_ne(mine->id, targets_browser()->context_id);
	ck_assert_ptr_eq(targets_contexts(), mine); /* oldest first */
	ck_assert_ptr_eq(mine->next, kept);
	ck_assert_ptr_eq(targets_context_find(kept->id), kept);
	struct target *a = targets_new_page_in("https://a.test/", mine);
	struct target *b = targets_new_page_in("https://b.test/", kept);
	ck_assert_str_eq(a->context_id, mine->id);
	ck_assert_str_eq(a->tab->context_id, mine->id);
	ck_assert_uint_eq(targets_tab_index(a->tab), 0);
	char aid[40], bid[40], mid[33];
	memcpy(aid, a->id, sizeof(aid));
	memcpy(bid, b->id, sizeof(bid));
	memcpy(mid, mine->id, sizeof(mid));
	ck_assert_uint_eq(count_pages(), 3);
	/* The connection goes: its disposeOnDetach context and its page go. */
	session_close_all(c);
	ck_assert_ptr_null(targets_context_find(mid));
	ck_assert_ptr_null(targets_find(aid));
	ck_assert_ptr_eq(targets_find(bid), b);
	ck_assert_ptr_eq(targets_contexts(), kept);
	targets_context_dispose(kept);
	ck_assert_ptr_null(targets_find(bid));
	ck_assert_ptr_null(targets_contexts());
	ck_assert_uint_eq(count_pages(), 1);
}
END_TEST

START_TEST(a_running_command_s_id_is_a_duplicate_until_answered)
{
	start(0, NULL, 0);
	struct conn *c = fake_cdp_conn(0);
	struct session *s = session_new(c, targets_first_page(), 0);
	ck_assert_int_eq(session_inflight_add(s, 5), 0);
	ck_assert_int_eq(session_inflight_add(s, 6), 0);
	ck_assert_int_eq(session_inflight_add(s, 5), 1);
	session_inflight_done(s, 5);
	ck_assert_int_eq(session_inflight_add(s, 6), 1);
	ck_assert_int_eq(session_inflight_add(s, 5), 0);
	/* Past the cap the oldest is forgotten, and memory stays bounded. */
	for (int i = 100; i < 100 + 5000; i++)
		ck_assert_int_eq(session_inflight_add(s, i), 0);
	ck_assert_uint_le(s->n_inflight, 4096);
	ck_assert_int_eq(session_inflight_add(s, 5099), 1);
	session_close_all(c);
}
END_TEST

/* ---- sessions ---- */

START_TEST(sessions_keep_the_root_first_and_children_in_attach_order)
{
	start(0, NULL, 0);
	struct conn *c = fake_cdp_conn(0);
	struct target *p = targets_first_page();
	struct session *root = c->sessions;
	struct session *a = session_new(c, p, 0), *b = session_new(c, p, 0),
		       *k = session_new(c, targets_browser(), 0);
	ck_assert_str_eq(root->id, "");
	ck_assert_ptr_eq(root->target, targets_browser());
	ck_assert(is_hex(a->id, 32, 1));
	ck_assert_str_ne(a->id, b->id);
	ck_assert_ptr_eq(root->next, a);
	ck_assert_ptr_eq(a->next, b);
	ck_assert_ptr_eq(b->next, k);
	ck_assert_ptr_eq(session_find(c, NULL), root);
	ck_assert_ptr_eq(session_find(c, ""), root);
	ck_assert_ptr_eq(session_find(c, b->id), b);
	ck_assert_ptr_null(session_find(c, "0000"));
	char bid[33];
	memcpy(bid, b->id, sizeof(bid));
	session_free(b);
	ck_assert_ptr_eq(a->next, k);
	ck_assert_ptr_null(session_find(c, bid));
	char want[64];
	snprintf(want, sizeof(want), "s%s;", bid);
	ck_assert_str_eq(gone, want);
	/* Closing the connection frees the rest, root first. */
	char rest[128];
	snprintf(rest, sizeof(rest), "s;s%s;s%s;", a->id, k->id);
	gone[0] = '\0';
	session_close_all(c);
	ck_assert_ptr_null(c->sessions);
	ck_assert_str_eq(gone, rest);
}
END_TEST

START_TEST(a_page_socket_s_root_session_is_the_page)
{
	start(0, NULL, 0);
	struct conn *c = conn_new(CONN_WS, NULL, NULL);
	c->page = targets_first_page();
	ck_assert_int_eq(session_open_root(c), 0);
	ck_assert_ptr_eq(c->sessions->target, c->page);
	session_close_all(c);
}
END_TEST

START_TEST(closing_a_page_detaches_its_sessions_and_tells_discoverers)
{
	start(0, three, 3);
	struct target *p = targets_first_page(), *q = p->next;
	struct conn *a = fake_cdp_conn(0);
	conn_set_tap(a, &fake_tap_take);
	a->sessions->discover = 1;
	a->sessions->discover_allow = TARGET_PAGE; /* the default filter */
	struct session *on_p = session_new(a, p, 0), *on_q = session_new(a, q, 0);
	on_q->discover = 1;
	on_q->discover_allow = TARGET_PAGE | TARGET_TAB;
	struct conn *sock = conn_new(CONN_WS, NULL, NULL); /* /devtools/page/<p> */
	sock->page = p;
	ck_assert_int_eq(session_open_root(sock), 0);
	struct conn *bystander = fake_cdp_conn(0);
	conn_set_tap(bystander, &fake_tap_take);
	char sid[33], pid[40];
	memcpy(sid, on_p->id, sizeof(sid));
	memcpy(pid, p->id, sizeof(pid));
	char tab_id[40];
	memcpy(tab_id, p->tab->id, sizeof(tab_id));

	targets_close(p);

	/* Chrome's order after Target.closeTarget: Inspector.detached on the
	 * page's flat session, targetInfoChanged (attached:false, url and
	 * title blank) to the discoverers, detachedFromTarget to the session's
	 * parent (here the root), targetDestroyed; then the same for the tab,
	 * which nothing was attached to: targetDestroyed to on_q only, whose
	 * filter admits tabs. */
	char want[512];
	ck_assert_uint_eq(fake_out.n, 7);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Inspector.detached\",\"params\":{\"reason\":\"Render process "
		 "gone.\"},\"sessionId\":\"%s\"}", sid);
	ck_assert_str_eq(fake_text(0), want);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":{"
		 "\"targetId\":\"%s\",\"type\":\"page\",\"title\":\"\",\"url\":\"\","
		 "\"attached\":false,\"canAccessOpener\":false,\"browserContextId\":\"%s\"}}}",
		 pid, q->context_id);
	ck_assert_str_eq(fake_text(1), want);
	ck_assert_ptr_eq(fake_out.m[1].c, a);
	ck_assert_str_eq(fake_out.m[2].sid, on_q->id);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
		 "\"targetId\":\"%s\"}}",
		 sid, pid);
	ck_assert_str_eq(fake_text(3), want);
	ck_assert_ptr_eq(fake_out.m[3].c, a);
	snprintf(want, sizeof(want), "{\"method\":\"Target.targetDestroyed\",\"params\":{\"targetId\":\"%s\"}}",
		 pid);
	ck_assert_str_eq(fake_text(4), want);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Target.targetDestroyed\",\"params\":{\"targetId\":\"%s\"},"
		 "\"sessionId\":\"%s\"}",
		 pid, on_q->id);
	ck_assert_str_eq(fake_text(5), want);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Target.targetDestroyed\",\"params\":{\"targetId\":\"%s\"},"
		 "\"sessionId\":\"%s\"}",
		 tab_id, on_q->id);
	ck_assert_str_eq(fake_text(6), want);
	ck_assert_ptr_null(targets_find(tab_id));
	ck_assert_ptr_null(session_find(a, sid));
	ck_assert_ptr_eq(a->sessions->next, on_q);
	ck_assert_int_eq(sock->gone, 1);
	ck_assert_int_eq(bystander->gone, 0);
	ck_assert_ptr_null(sock->page); /* p is freed: nothing may point at it */
	ck_assert_ptr_null(targets_find(pid));
	ck_assert_ptr_eq(targets_first_page(), q);
	/* The page socket's sessions go at once (newest connection first: the
	 * socket before a), then the domains drop what they kept for the page. */
	ck_assert_ptr_null(sock->sessions);
	snprintf(want, sizeof(want), "s;s%s;t%s;", sid, pid);
	ck_assert_str_eq(gone, want);
}
END_TEST

Suite *targets_suite(void)
{
	Suite *s = suite_create("targets");
	TCase *t = tcase_create("targets");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, no_page_list_means_one_blank_page);
	tcase_add_test(t, an_empty_page_list_means_no_pages);
	tcase_add_test(t, pages_are_listed_newest_first_in_file_order);
	tcase_add_test(t, the_command_line_url_replaces_the_first_page);
	tcase_add_test(t, ids_are_reproducible_from_the_seed);
	tcase_add_test(t, a_reset_gives_the_pages_the_ids_of_a_fresh_start);
	tcase_add_test(t, a_reseed_resets_to_what_that_seed_gives_at_start);
	tcase_add_test(t, a_display_title_is_the_title_or_the_escaped_url);
	tcase_add_test(t, every_page_has_a_tab_that_draws_nothing_from_the_rng);
	tcase_add_test(t, the_first_matching_filter_entry_wins);
	tcase_add_test(t, a_context_owns_its_pages_and_goes_with_its_owner);
	tcase_add_test(t, a_running_command_s_id_is_a_duplicate_until_answered);
	suite_add_tcase(s, t);

	t = tcase_create("sessions");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, sessions_keep_the_root_first_and_children_in_attach_order);
	tcase_add_test(t, a_page_socket_s_root_session_is_the_page);
	tcase_add_test(t, closing_a_page_detaches_its_sessions_and_tells_discoverers);
	suite_add_tcase(s, t);
	return s;
}
