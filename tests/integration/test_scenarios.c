/* test_scenarios.c - the scenario library (scenarios/): every file passes
 * `cdpmock --check` and its own "check" (`cdpmock --self-check`; under
 * valgrind the same runner, selfcheck/scenrun.h, from here with the server
 * wrapped); bad files get one "file:line:column: path:
 * expected X, found Y" line per error; a virtual-clock run is byte-for-byte
 * reproducible; a scenario with a huge payload keeps the server's memory
 * flat however many clients read it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cdpclient.h"
#include "fixture.h"
#include "scenrun.h"

static char **files;
static size_t n_files;

/* How the suites run a check: the cdpmock under test ($CDPMOCK_BIN), under
 * $CDPMOCK_WRAP when set (valgrind: then every time limit stretches and
 * heavy checks are left out), with the extra args and journal given. */
struct scen_run {
	struct scenrun_opts o;
	char *wrap_text;
	const char *wrap[40];
};

static void scen_run_init(struct scen_run *sr, const char *const *extra, const char *journal)
{
	const char *wrap = getenv("CDPMOCK_WRAP");
	size_t n = 0;
	memset(sr, 0, sizeof(*sr));
	if (wrap && *wrap) {
		sr->wrap_text = strdup(wrap);
		for (char *t = strtok(sr->wrap_text, " "); t && n < 39; t = strtok(NULL, " "))
			sr->wrap[n++] = t;
		sr->o.launch.wrap = sr->wrap;
	}
	sr->o.launch.bin = fx_bin();
	sr->o.launch.args = extra;
	sr->o.journal = journal;
	sr->o.slow = fx_slow();
	sr->o.skip_heavy = fx_slow();
}

static enum scenrun_result scen_run(const char *path, const char *const *extra, const char *journal,
				    struct buf *why)
{
	struct scen_run sr;
	scen_run_init(&sr, extra, journal);
	enum scenrun_result r = scenrun_file(path, &sr.o, why);
	free(sr.wrap_text);
	return r;
}

START_TEST(library_file_passes_check_and_its_own_test)
{
	struct buf out;
	buf_init(&out, 0);
	const char *args[] = {"--check", files[_i], NULL};
	int st = fx_run(args, &out);
	struct buf ok;
	buf_init(&ok, 0);
	buf_printf(&ok, "%s: ok\n", files[_i]);
	ck_assert_msg(st == 0 && !strcmp(out.data ? out.data : "", ok.data), "%s: --check: %s",
		      files[_i], out.data ? out.data : "");
	buf_clear(&ok);
	buf_reset(&out);
	if (getenv("CDPMOCK_WRAP")) {
		/* make valgrind: the same runner, here, with the server wrapped. */
		enum scenrun_result r = scen_run(files[_i], NULL, NULL, &out);
		if (r == SCENRUN_SKIP)
			fprintf(stderr, "%s\n", out.data);
		/* Every library scenario proves itself: a file without a check fails. */
		ck_assert_msg(r == SCENRUN_PASS || r == SCENRUN_SKIP, "%s", out.data ? out.data : "");
		buf_clear(&out);
		return;
	}
	/* As a user runs it: cdpmock --self-check, on a private copy of itself. */
	const char *self[] = {"--self-check", files[_i], NULL};
	st = fx_run(self, &out);
	struct buf verdict;
	buf_init(&verdict, 0);
	buf_printf(&verdict, "\n%s: pass (", files[_i]);
	const char *v = out.data ? strstr(out.data, verdict.data) : NULL;
	ck_assert_msg(st == 0 && v && strchr(v + 1, '\n') == out.data + out.len - 1,
		      "cdpmock --self-check %s: exit %d:\n%s", files[_i], st, out.data ? out.data : "");
	buf_clear(&verdict);
	buf_clear(&out);
}
END_TEST

START_TEST(library_has_enough_scenarios)
{
	/* At least 35 in subfolders, plus scenarios/default.json. */
	size_t nested = 0, def = 0;
	for (size_t i = 0; i < n_files; i++) {
		const char *rel = files[i] + strlen(fx_srcdir()) + strlen("/scenarios/");
		nested += strchr(rel, '/') != NULL;
		def += !strcmp(rel, "default.json");
	}
	ck_assert_uint_ge(nested, 35);
	ck_assert_uint_eq(def, 1);
}
END_TEST

/* Writes text to a temporary file; its path goes to path (64 bytes). */
static void temp_file(char *path, const char *text)
{
	fx_temp_file(path, text, strlen(text));
}

START_TEST(check_reports_each_error_on_its_own_line)
{
	char path[64];
	struct buf out, want;
	buf_init(&out, 0);
	buf_init(&want, 0);
	temp_file(path, "{\n"
			"  \"description\": \"bad\",\n"
			"  \"tracing\": {\"events\": -1, \"colour\": \"red\"},\n"
			"  \"rules\": [{\"match\": {\"method\": 5}, \"action\": {\"delay\": \"x\"}}]\n"
			"}\n");
	const char *args[] = {"--check", path, NULL};
	ck_assert_int_eq(fx_run(args, &out), 1);
	buf_printf(&want,
		   "%s:3:29: .tracing: expected one of the keys \"events\", \"rate\", "
		   "\"durationMs\", \"categories\", \"chunkBytes\", \"chunkEvents\", "
		   "\"bufferUsage\", \"percentFull\", \"stuckFull\", \"dataLoss\", "
		   "\"compression\", \"completeDelayMs\", \"neverComplete\", \"bufferKb\", "
		   "\"recordMode\", \"longTaskMs\", \"lcpMs\", \"screenshots\", \"emptySamples\", "
		   "found key \"colour\"\n"
		   "%s:3:25: .tracing.events: expected an integer from 0 to 100000000000, found -1\n"
		   "%s:4:34: .rules[0].match.method: expected a string, found 5\n"
		   "%s:4:58: .rules[0].action.delay: expected milliseconds, {\"ms\": N}, "
		   "{\"uniform\": [a, b]} or {\"lognormal\": {\"medianMs\": N, \"sigma\": S}}, "
		   "found string \"x\"\n",
		   path, path, path, path);
	ck_assert_str_eq(out.data, want.data);
	/* Syntax errors stop at the first one; a trailing comma is named. */
	FILE *f = fopen(path, "w");
	fputs("{\"description\": \"x\",\n \"seed\": 1,\n \"rules\": [],\n}", f);
	fclose(f);
	ck_assert_int_eq(fx_run(args, &out), 1);
	buf_reset(&want);
	buf_printf(&want, "%s:3:13: .: expected JSON, found a trailing comma (JSON allows none "
			  "before '}')\n", path);
	ck_assert_str_eq(out.data, want.data);
	f = fopen(path, "w");
	fputs("{\"description\": \"x\",\n \"seed\": 1,,\n}", f);
	fclose(f);
	ck_assert_int_eq(fx_run(args, &out), 1);
	buf_reset(&want);
	buf_printf(&want, "%s:2:12: .: expected JSON, found a syntax error (string literal "
			  "expected)\n", path);
	ck_assert_str_eq(out.data, want.data);
	/* Repeated keys are errors too. */
	f = fopen(path, "w");
	fputs("{\"description\": \"x\", \"description\": \"y\"}", f);
	fclose(f);
	ck_assert_int_eq(fx_run(args, &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, ":1:22: .: expected JSON, found a syntax error "
					       "(duplicate key)"));
	/* A good file says so; an unreadable one says why. */
	f = fopen(path, "w");
	fputs("{\"description\": \"fine\"}", f);
	fclose(f);
	ck_assert_int_eq(fx_run(args, &out), 0);
	buf_reset(&want);
	buf_printf(&want, "%s: ok\n", path);
	ck_assert_str_eq(out.data, want.data);
	const char *missing[] = {"--check", "/nonexistent/x.json", NULL};
	ck_assert_int_eq(fx_run(missing, &out), 1);
	ck_assert_str_eq(out.data, "cdpmock: no scenario '/nonexistent/x.json': not a file, nor a "
				   "name in the scenario library (cdpmock --list-scenarios lists "
				   "them)\n");
	/* --scenario with a bad file refuses to start. */
	f = fopen(path, "w");
	fputs("{\"description\": 1}", f);
	fclose(f);
	const char *start[] = {"--remote-debugging-port=0", "--scenario", path, NULL};
	ck_assert_int_eq(fx_run(start, &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, ":1:17: .description: expected a string, found 1"));
	unlink(path);
	buf_clear(&out);
	buf_clear(&want);
}
END_TEST

/* Names that would never fire: not in the descriptor, or of the wrong kind
 * for where they are. */
START_TEST(check_catches_rules_that_never_fire)
{
	char path[64];
	struct buf out, want;
	buf_init(&out, 0);
	buf_init(&want, 0);
	temp_file(path, "{\"description\": \"never fires\", \"rules\": [\n"
			"{\"match\": {\"direction\": \"out\", \"kind\": \"event\", \"method\": "
			"\"Tracing.tracingCompleted\"}, \"action\": {\"drop\": true}},\n"
			"{\"match\": {\"method\": \"tracing.end\"}, \"action\": {\"hold\": true}},\n"
			"{\"match\": {\"direction\": \"out\", \"kind\": \"event\", \"method\": "
			"\"Tracing.end\"}, \"action\": {\"drop\": true}},\n"
			"{\"match\": {\"method\": \"Tracing.dataCollected\"}, \"action\": {\"hold\": "
			"true}},\n"
			"{\"match\": {\"method\": \"Tracng.*\"}, \"action\": {\"hold\": true}},\n"
			"{\"match\": {\"direction\": \"out\", \"method\": \"Tracing.dataCollected\"}, "
			"\"action\": {\"reply\": {\"result\": {}}}},\n"
			"{\"match\": {\"direction\": \"out\", \"method\": \"Tracing.*\"}, \"action\": "
			"{\"drop\": true}}],\n"
			"\"expect\": {\"send\": [{\"method\": \"IO.reed\"}]}}\n");
	const char *args[] = {"--check", path, NULL};
	ck_assert_int_eq(fx_run(args, &out), 1);
	buf_printf(&want,
		   "%s:2:59: .rules[0].match.method: expected an event of the protocol (did you "
		   "mean \"Tracing.tracingComplete\"?), found string \"Tracing.tracingCompleted\"\n"
		   "%s:3:22: .rules[1].match.method: expected a command of the protocol (did you "
		   "mean \"Tracing.end\"?), found string \"tracing.end\"\n"
		   "%s:4:59: .rules[2].match.method: expected an event (\"Tracing.end\" is a "
		   "command: a \"kind\": \"event\" match never sees it), found string "
		   "\"Tracing.end\"\n"
		   "%s:5:22: .rules[3].match.method: expected a command (\"Tracing.dataCollected\" "
		   "is an event: an incoming rule sees only the commands a client sends), found "
		   "string \"Tracing.dataCollected\"\n"
		   "%s:6:22: .rules[4].match.method: expected a glob that matches a command of the "
		   "protocol (this one matches none), found string \"Tracng.*\"\n"
		   "%s:7:88: .rules[5].action.reply: expected an action for what the server sends "
		   "(\"reply\" and \"builtin\" act on a command: they need \"direction\": \"in\"), "
		   "found an object\n"
		   "%s:9:32: .expect.send[0].method: expected a command of the protocol (did you "
		   "mean \"IO.read\"?), found string \"IO.reed\"\n",
		   path, path, path, path, path, path, path);
	ck_assert_str_eq(out.data, want.data);
	unlink(path);
	buf_clear(&out);
	buf_clear(&want);
}
END_TEST

/* Library scenarios by name, from the tree and from an installation. */
START_TEST(library_scenarios_by_name)
{
	struct buf out;
	buf_init(&out, 0);
	const char *list[] = {"--list-scenarios", NULL};
	ck_assert_int_eq(fx_run(list, &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\ntracing/complete-never "));
	ck_assert_ptr_nonnull(strstr(out.data, "\nio/never-eof "));
	size_t lines = 0;
	for (const char *p = out.data; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_uint_eq(lines, n_files);
	const char *kw[] = {"--list-scenarios", "GZIP", NULL};
	ck_assert_int_eq(fx_run(kw, &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "tracing/gzip-stream "));
	ck_assert_ptr_null(strstr(out.data, "tracing/complete-never"));
	const char *byname[] = {"--check", "tracing/complete-never", NULL};
	ck_assert_int_eq(fx_run(byname, &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "/scenarios/tracing/complete-never.json: ok\n"));
	const char *typo[] = {"--remote-debugging-port=0", "--scenario", "tracing/complete-nevr",
			      NULL};
	ck_assert_int_eq(fx_run(typo, &out), 1);
	ck_assert_str_eq(out.data, "cdpmock: no scenario 'tracing/complete-nevr': not a file, nor a "
				   "name in the scenario library; did you mean "
				   "'tracing/complete-never'? (cdpmock --list-scenarios lists them)\n");
	/* A server started by name runs that scenario. */
	struct fx_server srv;
	const char *run[] = {"--scenario", "target/no-pages", NULL};
	fx_start(&srv, run);
	struct buf resp;
	buf_init(&resp, 0);
	ck_assert_int_eq(fx_http_once(&srv, "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
				      &resp), 0);
	ck_assert_ptr_nonnull(strstr(resp.data, "\r\n\r\n[  ]"));
	fx_stop(&srv);
	buf_clear(&resp);
	buf_clear(&out);
}
END_TEST

START_TEST(virtual_clock_runs_are_byte_identical)
{
	/* Seeded delays, a timeline and generated profiles: with the virtual
	 * clock, nothing in the journal depends on when things really ran. */
	const char *extra[] = {"--clock", "virtual", "--seed", "7", NULL};
	char scen[1024], j1[] = "/tmp/cdpmock-j1-XXXXXX", j2[] = "/tmp/cdpmock-j2-XXXXXX";
	close(mkstemp(j1));
	close(mkstemp(j2));
	snprintf(scen, sizeof(scen), "%s/scenarios/fuzz/seeded-delays.json", fx_srcdir());
	struct buf why, a, b;
	buf_init(&why, 0);
	buf_init(&a, 0);
	buf_init(&b, 0);
	ck_assert_msg(scen_run(scen, extra, j1, &why) == SCENRUN_PASS, "%s", why.data);
	ck_assert_msg(scen_run(scen, extra, j2, &why) == SCENRUN_PASS, "%s", why.data);
	fx_read_file(j1, &a);
	fx_read_file(j2, &b);
	ck_assert_uint_gt(a.len, 1000);
	ck_assert_ptr_nonnull(strstr(a.data, "\"t\":504"));
	ck_assert_msg(a.len == b.len && !memcmp(a.data, b.data, a.len), "journals differ");
	/* A real-clock run differs in its times. */
	const char *real[] = {"--seed", "7", NULL};
	ck_assert_msg(scen_run(scen, real, j2, &why) == SCENRUN_PASS, "%s", why.data);
	fx_read_file(j2, &b);
	ck_assert(a.len != b.len || memcmp(a.data, b.data, a.len));
	unlink(j1);
	unlink(j2);
	buf_clear(&why);
	buf_clear(&a);
	buf_clear(&b);
}
END_TEST

START_TEST(huge_payload_memory_does_not_grow_with_clients)
{
	if (getenv("CDPM_SLOW") || getenv("CDPMOCK_WRAP"))
		return; /* RSS is the wrapper's under valgrind */
	/* Every client gets a 64 MiB event, all at the same time. */
	char path[64];
	temp_file(path, "{\"description\": \"one 64 MiB event per connection\",\n"
			" \"timelines\": [{\"start\": \"connect\", \"steps\": [{\"at\": 0, \"emit\": "
			"{\"method\": \"Big.event\", \"params\": {\"data\": \"\"}, \"mutate\": "
			"{\"oversize\": {\"bytes\": 67108864}}}}]}]}\n");
	struct fx_server srv;
	const char *args[] = {"--scenario", path, NULL};
	fx_start(&srv, args);
	struct cdpc *c[4];
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(fx_client(&srv, NULL, &c[i], NULL), 0);
	for (int i = 0; i < 4; i++) {
		json_t *m = NULL;
		size_t len;
		ck_assert_int_eq(cdpc_next(c[i], 30000, &m), 0);
		const char *raw = cdpc_last_raw(c[i], &len);
		ck_assert_uint_eq(len, 67108864);
		ck_assert_int_eq(strncmp(raw, "{\"method\":\"Big.event\",\"params\":{\"data\":\"abc", 42),
				 0);
		ck_assert_str_eq(raw + len - 3, "\"}}");
		json_decref(m);
	}
	long kb = fx_peak_rss_kb(srv.pid);
	for (int i = 0; i < 4; i++)
		cdpc_free(c[i]);
	fx_stop(&srv);
	unlink(path);
	/* 4 x 64 MiB went out; the server never held even one of them. */
	ck_assert_msg(kb > 0 && kb < 48 * 1024, "peak RSS %ld kB", kb);
}
END_TEST

Suite *scenarios_suite(void);
Suite *scenarios_suite(void)
{
	Suite *s = suite_create("scenarios");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/scenarios", fx_srcdir());
	files = scenrun_list(dir, &n_files);
	TCase *tc = tcase_create("library");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, library_file_passes_check_and_its_own_test, 0, (int)n_files);
	tcase_add_test(tc, library_has_enough_scenarios);
	suite_add_tcase(s, tc);
	tc = tcase_create("loader");
	tcase_add_test(tc, check_reports_each_error_on_its_own_line);
	tcase_add_test(tc, check_catches_rules_that_never_fire);
	tcase_add_test(tc, library_scenarios_by_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("determinism");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, virtual_clock_runs_are_byte_identical);
	tcase_add_test(tc, huge_payload_memory_does_not_grow_with_clients);
	suite_add_tcase(s, tc);
	return s;
}
