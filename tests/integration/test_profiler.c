/* test_profiler.c - the Profiler domain (docs/chrome.md §6.1-§6.2, 3.2): every row of
 * the command table through the page socket and through a flat session,
 * per-session state, the profile's shape, --seed determinism, and cdpcli
 * saving a .cpuprofile. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

#define E(m) "{\"id\":%d,\"error\":{\"code\":-32000,\"message\":\"" m "\"}}"
#define NOT_ENABLED E("Profiler is not enabled")
#define NO_PROFILES E("No recording profiles found")
#define PROFILING E("Cannot change sampling interval when profiling.")
#define NO_COVERAGE E("Precise coverage has not been started.")
#define OK "{\"id\":%d,\"result\":{}}"
#define PROFILE                                                                                    \
	"{\"id\":%d,\"result\":{\"profile\":{\"nodes\":[{\"id\":1,\"callFrame\":{"                 \
	"\"functionName\":\"(root)\",\"scriptId\":\"0\",\"url\":\"\",\"lineNumber\":-1,"           \
	"\"columnNumber\":-1},\"hitCount\":0,*],\"startTime\":*,\"endTime\":*,"                    \
	"\"samples\":[*],\"timeDeltas\":[*]}}}"
#define STAMP "{\"id\":%d,\"result\":{\"timestamp\":*}}"
#define TAKE "{\"id\":%d,\"result\":{\"result\":[*],\"timestamp\":*}}"
#define BEST "{\"id\":%d,\"result\":{\"result\":[*]}}"

/* One command and the reply it must get; %d in want is the command's id. */
struct step {
	const char *method;
	const char *params;
	const char *want;
};

/* Each script runs on a fresh page; every row of docs/chrome.md §6.1-§6.2. */
static const struct step *const scripts[] = {
    (const struct step[]){{"Profiler.enable", NULL, OK},
			  {"Profiler.enable", NULL, OK},
			  {"Profiler.disable", NULL, OK},
			  {"Profiler.disable", NULL, OK},
			  {NULL, NULL, NULL}},
    (const struct step[]){{"Profiler.start", NULL, NOT_ENABLED},
			  {"Profiler.stop", NULL, NO_PROFILES},
			  {"Profiler.enable", NULL, OK},
			  {"Profiler.stop", NULL, NO_PROFILES},
			  {"Profiler.start", NULL, OK},
			  {"Profiler.start", NULL, OK},
			  {"Profiler.stop", NULL, PROFILE},
			  {"Profiler.stop", NULL, NO_PROFILES},
			  {NULL, NULL, NULL}},
    (const struct step[]){{"Profiler.setSamplingInterval", "{\"interval\":0}", OK},
			  {"Profiler.setSamplingInterval", "{\"interval\":-1}", OK},
			  {"Profiler.setSamplingInterval", "{\"interval\":1000000}", OK},
			  {"Profiler.enable", NULL, OK},
			  {"Profiler.setSamplingInterval", "{\"interval\":100}", OK},
			  {"Profiler.start", NULL, OK},
			  {"Profiler.setSamplingInterval", "{\"interval\":100}", PROFILING},
			  {"Profiler.stop", NULL, PROFILE},
			  {"Profiler.setSamplingInterval", "{\"interval\":200}", OK},
			  {NULL, NULL, NULL}},
    (const struct step[]){{"Profiler.startPreciseCoverage", NULL, NOT_ENABLED},
			  {"Profiler.takePreciseCoverage", NULL, NO_COVERAGE},
			  {"Profiler.stopPreciseCoverage", NULL, NOT_ENABLED},
			  {"Profiler.getBestEffortCoverage", NULL, BEST},
			  {"Profiler.enable", NULL, OK},
			  {"Profiler.stopPreciseCoverage", NULL, OK},
			  {"Profiler.takePreciseCoverage", NULL, NO_COVERAGE},
			  {"Profiler.startPreciseCoverage",
			   "{\"callCount\":true,\"detailed\":true,"
			   "\"allowTriggeredUpdates\":false}",
			   STAMP},
			  {"Profiler.startPreciseCoverage", "{}", STAMP},
			  {"Profiler.takePreciseCoverage", NULL, TAKE},
			  {"Profiler.getBestEffortCoverage", NULL, BEST},
			  {"Profiler.stopPreciseCoverage", NULL, OK},
			  {"Profiler.takePreciseCoverage", NULL, NO_COVERAGE},
			  {"Profiler.getBestEffortCoverage", NULL, BEST},
			  {NULL, NULL, NULL}},
    /* disable while profiling and covering discards both, silently */
    (const struct step[]){{"Profiler.enable", NULL, OK},
			  {"Profiler.start", NULL, OK},
			  {"Profiler.startPreciseCoverage", NULL, STAMP},
			  {"Profiler.disable", NULL, OK},
			  {"Profiler.stop", NULL, NO_PROFILES},
			  {"Profiler.takePreciseCoverage", NULL, NO_COVERAGE},
			  {"Profiler.enable", NULL, OK},
			  {"Profiler.stop", NULL, NO_PROFILES},
			  {NULL, NULL, NULL}},
    /* the profile survives a reload */
    (const struct step[]){{"Profiler.enable", NULL, OK},
			  {"Profiler.start", NULL, OK},
			  {"Page.reload", NULL, OK},
			  {"Profiler.stop", NULL, PROFILE},
			  {NULL, NULL, NULL}},
};

#define NSCRIPTS ((int)(sizeof(scripts) / sizeof(scripts[0])))

/* want with its "%d" replaced by id. */
static void fill(const char *tmpl, int id, struct buf *out)
{
	const char *d = strstr(tmpl, "%d");
	buf_reset(out);
	buf_add(out, tmpl, (size_t)(d - tmpl));
	buf_printf(out, "%d%s", id, d + 2);
}

static void run_steps(struct fx_conn *p, const struct step *st)
{
	char req[512];
	struct buf want;
	buf_init(&want, 0);
	for (int id = 1; st->method; st++, id++) {
		snprintf(req, sizeof(req), "{\"id\":%d,\"method\":\"%s\"%s%s}", id, st->method,
			 st->params ? ",\"params\":" : "", st->params ? st->params : "");
		fill(st->want, id, &want);
		fx_call(p, req, want.data);
	}
	buf_clear(&want);
}

/* _i: script * 2 + (0: page socket, 1: flat session). */
START_TEST(command_table_row)
{
	char tid[33];
	struct fx_conn p;
	fx_new_page(fx_br.fd, tid);
	fx_open(&p, &fx_srv, fx_br.fd, tid, _i % 2 ? FX_FLAT_SESSION : FX_PAGE_SOCKET);
	run_steps(&p, scripts[_i / 2]);
	fx_close(&p);
}
END_TEST

START_TEST(state_is_per_session)
{
	char tid[33];
	struct fx_conn a, b;
	fx_new_page(fx_br.fd, tid);
	fx_open(&a, &fx_srv, fx_br.fd, tid, FX_FLAT_SESSION);
	fx_open(&b, &fx_srv, fx_br.fd, tid, FX_PAGE_SOCKET);
	fx_call(&a, "{\"id\":1,\"method\":\"Profiler.enable\"}", "{\"id\":1,\"result\":{}}");
	fx_call(&b, "{\"id\":1,\"method\":\"Profiler.enable\"}", "{\"id\":1,\"result\":{}}");
	fx_call(&a, "{\"id\":2,\"method\":\"Profiler.start\"}", "{\"id\":2,\"result\":{}}");
	fx_call(&b, "{\"id\":2,\"method\":\"Profiler.stop\"}",
		"{\"id\":2,\"error\":{\"code\":-32000,\"message\":\"No recording profiles "
		"found\"}}");
	/* B may change its interval while A profiles. */
	fx_call(&b,
		"{\"id\":3,\"method\":\"Profiler.setSamplingInterval\",\"params\":"
		"{\"interval\":50}}",
		"{\"id\":3,\"result\":{}}");
	fx_call(&a, "{\"id\":3,\"method\":\"Profiler.startPreciseCoverage\"}",
		"{\"id\":3,\"result\":{\"timestamp\":*}}");
	fx_call(&b, "{\"id\":4,\"method\":\"Profiler.takePreciseCoverage\"}",
		"{\"id\":4,\"error\":{\"code\":-32000,\"message\":\"Precise coverage has not "
		"been started.\"}}");
	fx_call(&a, "{\"id\":4,\"method\":\"Profiler.takePreciseCoverage\"}",
		"{\"id\":4,\"result\":{\"result\":[*],\"timestamp\":*}}");
	fx_call(&a, "{\"id\":5,\"method\":\"Profiler.stop\"}",
		"{\"id\":5,\"result\":{\"profile\":{*}}}");
	fx_close(&a);
	fx_close(&b);
}
END_TEST

START_TEST(absent_on_the_browser_target)
{
	static const char *const methods[] = {
	    "Profiler.enable", "Profiler.start",   "Profiler.getBestEffortCoverage",
	    "Page.enable",     "Runtime.evaluate", "Debugger.enable",
	    "Network.enable",
	};
	struct buf m, want;
	buf_init(&m, 0);
	buf_init(&want, 0);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char req[128];
		snprintf(req, sizeof(req), "{\"id\":%zu,\"method\":\"%s\"}", i + 1, methods[i]);
		ck_assert_int_eq(fx_ws_call(fx_br.fd, req, &m), 0);
		buf_reset(&want);
		buf_printf(&want,
			   "{\"id\":%zu,\"error\":{\"code\":-32601,\"message\":\"'%s' "
			   "wasn't found\"}}",
			   i + 1, methods[i]);
		ck_assert_str_eq(m.data, want.data);
	}
	buf_clear(&m);
	buf_clear(&want);
}
END_TEST

/* Parses the profile out of a Profiler.stop reply (or a cpuprofile file's
 * text) and checks docs/chrome.md §6.3; returns the sample count, and the
 * duration in *us when us is not NULL. */
static size_t check_profile(const char *text, int64_t *us)
{
	/* Key order, on the bytes. */
	const char *keys[] = {
	    "\"nodes\":", "\"startTime\":", "\"endTime\":", "\"samples\":", "\"timeDeltas\":"};
	const char *at = text;
	for (size_t i = 0; i < 5; i++) {
		const char *k = strstr(text, keys[i]);
		ck_assert_msg(k && k >= at, "key %s out of order", keys[i]);
		at = k;
	}
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	ck_assert_msg(root != NULL, "bad JSON: %s", err.text);
	json_t *prof = json_object_get(root, "nodes")
			   ? root
			   : json_object_get(json_object_get(root, "result"), "profile");
	ck_assert_ptr_nonnull(prof);
	json_t *nodes = json_object_get(prof, "nodes");
	json_t *samples = json_object_get(prof, "samples");
	json_t *deltas = json_object_get(prof, "timeDeltas");
	ck_assert(json_array_size(nodes) >= 1);
	ck_assert_int_eq(json_array_size(samples), json_array_size(deltas));
	json_int_t start = json_integer_value(json_object_get(prof, "startTime"));
	json_int_t end = json_integer_value(json_object_get(prof, "endTime"));
	ck_assert(start > 0 && end >= start);
	json_int_t sum = 0;
	for (size_t i = 0; i < json_array_size(deltas); i++)
		sum += json_integer_value(json_array_get(deltas, i));
	ck_assert(sum <= end - start + 10000);
	json_t *root_node = json_array_get(nodes, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(root_node, "id")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root_node, "callFrame"),
							   "functionName")),
			 "(root)");
	size_t n = json_array_size(samples);
	if (us)
		*us = end - start;
	json_decref(root);
	return n;
}

START_TEST(profile_shape_and_interval)
{
	char tid[33];
	struct fx_conn p;
	fx_new_page(fx_br.fd, tid);
	fx_open(&p, &fx_srv, fx_br.fd, tid, FX_PAGE_SOCKET);
	fx_call(&p, "{\"id\":1,\"method\":\"Profiler.enable\"}", "{\"id\":1,\"result\":{}}");
	fx_call(&p,
		"{\"id\":2,\"method\":\"Profiler.setSamplingInterval\",\"params\":"
		"{\"interval\":100}}",
		"{\"id\":2,\"result\":{}}");
	fx_call(&p, "{\"id\":3,\"method\":\"Profiler.start\"}", "{\"id\":3,\"result\":{}}");
	usleep(60000);
	fx_call(&p, "{\"id\":4,\"method\":\"Profiler.stop\"}", "{\"id\":4,\"result\":*}");
	int64_t fine_us, coarse_us;
	size_t fine = check_profile(p.msg.data, &fine_us);
	fx_call(&p,
		"{\"id\":5,\"method\":\"Profiler.setSamplingInterval\",\"params\":"
		"{\"interval\":20000}}",
		"{\"id\":5,\"result\":{}}");
	fx_call(&p, "{\"id\":6,\"method\":\"Profiler.start\"}", "{\"id\":6,\"result\":{}}");
	usleep(60000);
	fx_call(&p, "{\"id\":7,\"method\":\"Profiler.stop\"}", "{\"id\":7,\"result\":*}");
	size_t coarse = check_profile(p.msg.data, &coarse_us);
	/* About one sample per interval (plus Chrome's ~10% overhead). */
	ck_assert_msg(fine_us >= 50000 && fine >= (size_t)(fine_us / 200) &&
			  coarse <= (size_t)(coarse_us / 15000) + 2,
		      "samples: %zu in %lld us at 100us, %zu in %lld us at 20ms", fine,
		      (long long)fine_us, coarse, (long long)coarse_us);
	fx_close(&p);
}
END_TEST

/* Runs a fixed command list against a fresh server with args and returns
 * every frame received, one per line. */
static void record_run(const char *const *args, struct buf *out)
{
	struct fx_server s;
	fx_start(&s, args);
	char path[128];
	snprintf(path, sizeof(path), "/devtools/page/%s", s.page_id);
	int fd = fx_ws_open(&s, path, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	static const char *const cmds[] = {
	    "{\"id\":1,\"method\":\"Profiler.enable\"}",
	    "{\"id\":2,\"method\":\"Profiler.startPreciseCoverage\",\"params\":{\"callCount\":"
	    "true,\"detailed\":true}}",
	    "{\"id\":3,\"method\":\"Profiler.start\"}",
	    "{\"id\":4,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":"
	    "\"console.profile('a'); console.profileEnd('a')\"}}",
	    "{\"id\":5,\"method\":\"Profiler.stop\"}",
	    "{\"id\":6,\"method\":\"Profiler.takePreciseCoverage\"}",
	    "{\"id\":7,\"method\":\"Profiler.getBestEffortCoverage\"}",
	    "{\"id\":8,\"method\":\"Page.getFrameTree\"}",
	};
	struct buf m;
	buf_init(&m, 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ck_assert_int_eq(fx_ws_text(fd, cmds[i]), 0);
		char pfx[16];
		snprintf(pfx, sizeof(pfx), "{\"id\":%zu,", i + 1);
		do {
			ck_assert_int_eq(fx_ws_next_text(fd, fx_timeout_ms(), &m), 0);
			buf_add(out, m.data, m.len);
			buf_addc(out, '\n');
		} while (strncmp(m.data, pfx, strlen(pfx)));
	}
	buf_clear(&m);
	close(fd);
	fx_stop(&s);
}

START_TEST(seed_makes_runs_identical)
{
	static const char *const args[] = {"--seed", "42", "--clock", "virtual", NULL};
	struct buf a, b;
	buf_init(&a, 0);
	buf_init(&b, 0);
	record_run(args, &a);
	record_run(args, &b);
	ck_assert_ptr_nonnull(strstr(a.data, "{\"id\":5,\"result\":{\"profile\":{\"nodes\":"));
	ck_assert_ptr_nonnull(strstr(a.data, "Profiler.consoleProfileFinished"));
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_str_eq(a.data, b.data);
	buf_clear(&a);
	buf_clear(&b);
}
END_TEST

START_TEST(cdpcli_saves_a_cpuprofile)
{
	const char *cli = getenv("CDPCLI_BIN") ? getenv("CDPCLI_BIN") : "build/cdpcli";
	char dir[] = "/tmp/cdpmock-prof-XXXXXX", file[256], endpoint[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char out[300];
	snprintf(file, sizeof(file), "%s/out.cpuprofile", dir);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", fx_srv.port);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		execl(cli, cli, "--endpoint", endpoint, "--page", "Profiler.enable",
		      "Profiler.start", "--sleep", "50", "Profiler.stop", "--save-profile", file,
		      (char *)NULL);
		_exit(127);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	struct buf text;
	buf_init(&text, 0);
	fx_read_file(file, &text);
	ck_assert_int_eq(strncmp(text.data, "{\"nodes\":[", 10), 0);
	ck_assert_uint_ge(check_profile(text.data, NULL), 1);
	/* The results of the other commands are printed; the saved profile is not. */
	fx_read_file(out, &text);
	ck_assert_str_eq(text.data, "{}\n{}\n");
	buf_clear(&text);
	unlink(file);
	unlink(out);
	rmdir(dir);
}
END_TEST

Suite *profiler_suite(void);
Suite *profiler_suite(void)
{
	Suite *s = suite_create("profiler");
	TCase *tc = tcase_create("commands");
	tcase_add_unchecked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, command_table_row, 0, NSCRIPTS * 2);
	tcase_add_test(tc, state_is_per_session);
	tcase_add_test(tc, absent_on_the_browser_target);
	tcase_add_test(tc, profile_shape_and_interval);
	tcase_add_test(tc, cdpcli_saves_a_cpuprofile);
	suite_add_tcase(s, tc);
	TCase *det = tcase_create("determinism");
	tcase_add_test(det, seed_makes_runs_identical);
	suite_add_tcase(s, det);
	return s;
}
