/* test_record.c - record and replay (docs/record.md): cdpcli runs a
 * session through `cdpmock --record-upstream` in front of another cdpmock,
 * the recording is replayed by a third with another seed, and cdpcli must
 * see the same replies, events, profile and traces.  Also redaction and
 * {"$file": ...} references, and --replay-timing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

/* Runs cdpcli with args (NULL-terminated) against port; stdout to out,
 * stderr to out.err.  Returns its exit status. */
static int cli(int port, const char *out, const char *const *args)
{
	const char *bin = getenv("CDPCLI_BIN") ? getenv("CDPCLI_BIN") : "build/cdpcli";
	char endpoint[64];
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", port);
	const char *argv[32] = {bin, "--endpoint", endpoint};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char err[400];
		snprintf(err, sizeof(err), "%s.err", out);
		int efd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(efd, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The acceptance session: files dir/TAG.*. */
static void session(int port, const char *dir, const char *tag)
{
	char out[300], file[300];
#define PATHS(what, f) \
	snprintf(out, sizeof(out), "%s/%s.%s.out", dir, tag, what); \
	snprintf(file, sizeof(file), "%s/%s.%s", dir, tag, f)
	PATHS("version", "none");
	static const char *const ver[] = {"Browser.getVersion", NULL};
	ck_assert_int_eq(cli(port, out, ver), 0);
	PATHS("profile", "cpuprofile");
	const char *const prof[] = {"--page", "Profiler.enable", "Profiler.start", "--sleep", "30",
				    "Profiler.stop", "--save-profile", file, NULL};
	ck_assert_int_eq(cli(port, out, prof), 0);
	PATHS("events", "trace.json");
	const char *const rep[] = {"--listen", "Tracing.*", "Tracing.start",
				   "{\"transferMode\":\"ReportEvents\"}", "--sleep", "30",
				   "Tracing.end", "--trace-out", file, NULL};
	ck_assert_int_eq(cli(port, out, rep), 0);
	PATHS("stream", "stream.json");
	const char *const str[] = {"--listen", "Tracing.tracingComplete", "Tracing.start",
				   "{\"transferMode\":\"ReturnAsStream\"}", "--sleep", "30",
				   "Tracing.end", "--trace-out", file, NULL};
	ck_assert_int_eq(cli(port, out, str), 0);
#undef PATHS
}

static void same_file(const char *dir, const char *name)
{
	char a[300], b[300];
	struct buf x, y;
	buf_init(&x, 0);
	buf_init(&y, 0);
	snprintf(a, sizeof(a), "%s/rec.%s", dir, name);
	snprintf(b, sizeof(b), "%s/rep.%s", dir, name);
	fx_read_file(a, &x);
	fx_read_file(b, &y);
	ck_assert_msg(x.len > 0, "%s is empty", a);
	ck_assert_msg(x.len == y.len && !memcmp(x.data, y.data, x.len), "%s and %s differ", a, b);
	buf_clear(&x);
	buf_clear(&y);
}

static void rm_rf(const char *dir)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(record_then_replay_cdpcli)
{
	char dir[] = "/tmp/cdpmock-rec-XXXXXX", scen[300], up_url[64], path[400];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(scen, sizeof(scen), "%s/session.json", dir);
	struct fx_server up, px, re;
	/* Another seed than the proxy's: another browser id. */
	static const char *const uargs[] = {"--seed", "5", NULL};
	fx_start(&up, uargs);
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%d", up.port);
	const char *const pargs[] = {"--record-upstream", up_url, "--record", scen, NULL};
	fx_start(&px, pargs);
	/* The banner names the upstream's browser, as its clients must use. */
	ck_assert_str_eq(px.browser_id, up.browser_id);

	/* Discovery is the upstream's, with its URLs pointing at the proxy. */
	struct buf body, want;
	buf_init(&body, 0);
	buf_init(&want, 0);
	ck_assert_int_eq(fx_get(&px, "/json/version", &body), 0);
	buf_printf(&want, "\"webSocketDebuggerUrl\": \"ws://127.0.0.1:%d/devtools/browser/%s\"",
		   px.port, up.browser_id);
	ck_assert_ptr_nonnull(strstr(body.data, want.data));
	ck_assert_int_eq(fx_get(&px, "/json/list", &body), 0);
	buf_reset(&want);
	buf_printf(&want, "\"webSocketDebuggerUrl\": \"ws://127.0.0.1:%d/devtools/page/%s\"", px.port,
		   up.page_id);
	ck_assert_ptr_nonnull(strstr(body.data, want.data));

	session(px.port, dir, "rec");
	fx_stop(&px);
	fx_stop(&up);

	/* The recording is an ordinary scenario, with its payloads beside it. */
	fx_read_file(scen, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "\"method\": \"Browser.getVersion\""));
	ck_assert_ptr_nonnull(strstr(body.data, "\"method\": \"Profiler.stop\""));
	ck_assert_ptr_nonnull(strstr(body.data, "\"method\": \"Tracing.dataCollected\""));
	ck_assert_ptr_nonnull(strstr(body.data, "\"method\": \"Tracing.tracingComplete\""));
	ck_assert_ptr_nonnull(strstr(body.data, "\"method\": \"IO.read\""));
	ck_assert_ptr_nonnull(strstr(body.data, "\"$file\": \"session.json.d/"));
	ck_assert_ptr_null(strstr(body.data, "\"method\": \"Target."));
	snprintf(path, sizeof(path), "%s/session.json.d/1.json.gz", dir);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	const char *const check[] = {"--check", scen, NULL};
	ck_assert_int_eq(fx_run(check, &body), 0);

	/* Another seed: the model would make other profiles and traces. */
	const char *const rargs[] = {"--scenario", scen, "--seed", "977", NULL};
	fx_start(&re, rargs);
	session(re.port, dir, "rep");
	fx_stop(&re);
	static const char *const names[] = {
		"version.out", "profile.out", "cpuprofile", "events.out", "trace.json",
		"stream.out", "stream.json",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		same_file(dir, names[i]);
	/* And they are the real thing: the events were printed, the data saved. */
	snprintf(path, sizeof(path), "%s/rep.events.out", dir);
	fx_read_file(path, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "{\"method\":\"Tracing.tracingComplete\","
					       "\"params\":{\"dataLossOccurred\":false}}"));
	snprintf(path, sizeof(path), "%s/rep.trace.json", dir);
	fx_read_file(path, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "\"ph\":\"M\""));
	snprintf(path, sizeof(path), "%s/rep.stream.out", dir);
	fx_read_file(path, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "\"streamCompression\":\"none\""));
	snprintf(path, sizeof(path), "%s/rep.cpuprofile", dir);
	fx_read_file(path, &body);
	ck_assert_int_eq(strncmp(body.data, "{\"nodes\":[", 10), 0);

	/* --replay-strict: a second Browser.getVersion was never recorded. */
	const char *const sargs[] = {"--scenario", scen, "--replay-strict", NULL};
	fx_start(&re, sargs);
	snprintf(path, sizeof(path), "%s/strict", dir);
	static const char *const twice[] = {"Browser.getVersion", "Browser.getVersion", NULL};
	ck_assert_int_eq(cli(re.port, path, twice), 1);
	fx_read_file(path, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "\"product\": \"Chrome/156.0.8078.79\""));
	snprintf(path, sizeof(path), "%s/strict.err", dir);
	fx_read_file(path, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "error -32000: cdpmock --replay-strict: "
					       "Browser.getVersion was not recorded; the nearest "
					       "recorded command is Browser.getVersion"));
	snprintf(path, sizeof(path), "%s/strict", dir);
	static const char *const other[] = {"Browser.getWindowForTarget", NULL};
	ck_assert_int_eq(cli(re.port, path, other), 1);
	snprintf(path, sizeof(path), "%s/strict.err", dir);
	fx_read_file(path, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "Browser.getWindowForTarget was not recorded; the "
					       "nearest recorded command is Browser.getVersion"));
	fx_stop(&re);
	buf_clear(&body);
	buf_clear(&want);
	rm_rf(dir);
}
END_TEST

START_TEST(redaction)
{
	char dir[] = "/tmp/cdpmock-red-XXXXXX", scen[300], up_url[64], out[300];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(scen, sizeof(scen), "%s/r.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	struct fx_server up, px, re;
	fx_start(&up, NULL);
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%d", up.port);
	const char *const pargs[] = {"--record-upstream", up_url, "--record", scen,
				     "--record-redact", "path:result.userAgent",
				     "--record-redact", "re:[0-9a-f]{40}",
				     "--record-redact", "path:params.categories", NULL};
	fx_start(&px, pargs);
	static const char *const ver[] = {"Browser.getVersion", "Tracing.start",
					  "{\"categories\":\"secret-cat\"}", "Tracing.end", NULL};
	ck_assert_int_eq(cli(px.port, out, ver), 0);
	fx_stop(&px);
	fx_stop(&up);
	struct buf body;
	buf_init(&body, 0);
	fx_read_file(scen, &body);
	/* The path's value, and the pattern's matches (the revision hash), are
	 * gone; the command's redacted param is dropped from its match. */
	ck_assert_ptr_null(strstr(body.data, "a21ce95c24ce3964416f09ae1862f53f319eb4d0"));
	ck_assert_ptr_null(strstr(body.data, "secret-cat"));
	ck_assert_ptr_nonnull(strstr(body.data, "\"userAgent\": \"<redacted>\""));
	ck_assert_ptr_nonnull(strstr(body.data, "\"revision\": \"@<redacted>\""));
	/* The replay answers with the redacted values, and matches the
	 * Tracing.start whatever its categories. */
	const char *const rargs[] = {"--scenario", scen, NULL};
	fx_start(&re, rargs);
	static const char *const again[] = {"Browser.getVersion", "Tracing.start",
					    "{\"categories\":\"other\"}", "Tracing.end", NULL};
	ck_assert_int_eq(cli(re.port, out, again), 0);
	fx_stop(&re);
	fx_read_file(out, &body);
	ck_assert_ptr_nonnull(strstr(body.data, "\"userAgent\": \"<redacted>\""));
	buf_clear(&body);
	/* A bad spec is refused at start. */
	const char *const bad[] = {"--record-upstream", up_url, "--record", scen, "--record-redact",
				   "params.url", NULL};
	ck_assert_int_eq(fx_run(bad, &body), 1);
	ck_assert_ptr_nonnull(strstr(body.data, "--record-redact takes path:"));
	const char *const pipe[] = {"--remote-debugging-pipe", "--record-upstream", up_url,
				    "--record", scen, NULL};
	ck_assert_int_eq(fx_run(pipe, &body), 1);
	ck_assert_ptr_nonnull(strstr(body.data, "not --remote-debugging-pipe"));
	static const char *const alone[] = {"--record", "x.json", NULL};
	ck_assert_int_eq(fx_run(alone, &body), 1);
	ck_assert_ptr_nonnull(strstr(body.data, "need --record-upstream"));
	/* A recorder whose browser does not answer does not start. */
	const char *const gone[] = {"--remote-debugging-port=0", "--record-upstream", up_url,
				    "--record", scen, NULL};
	ck_assert_int_eq(fx_run(gone, &body), 1);
	ck_assert_ptr_nonnull(strstr(body.data, "cdpmock: no browser answers /json/version at "));
	buf_clear(&body);
	rm_rf(dir);
}
END_TEST

START_TEST(file_references)
{
	char dir[] = "/tmp/cdpmock-ref-XXXXXX", path[300];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct buf out;
	buf_init(&out, 0);
	/* A plain JSON file works too (gzip is read when the file is gzip). */
	snprintf(path, sizeof(path), "%s/v.json", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"product\": \"FromFile/1.0\"}", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/s.json", dir);
	f = fopen(path, "w");
	fputs("{\"description\": \"ref\", \"rules\": [{\"match\": {\"method\": \"Browser.getVersion\"},"
	      " \"action\": {\"reply\": {\"result\": {\"$file\": \"v.json\"}}}}]}", f);
	fclose(f);
	const char *const args[] = {"--scenario", path, NULL};
	struct fx_server s;
	fx_start(&s, args);
	char outp[300];
	snprintf(outp, sizeof(outp), "%s/out", dir);
	static const char *const ver[] = {"Browser.getVersion", NULL};
	ck_assert_int_eq(cli(s.port, outp, ver), 0);
	fx_stop(&s);
	fx_read_file(outp, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "\"product\": \"FromFile/1.0\""));
	/* A missing file and a path that leaves the folder are load errors. */
	f = fopen(path, "w");
	fputs("{\"description\": \"ref\", \"rules\": [{\"match\": {\"method\": \"Browser.getVersion\"},"
	      " \"action\": {\"reply\": {\"result\": {\"$file\": \"../x.json\"}}}},\n"
	      " {\"match\": {\"method\": \"Browser.getVersion\"},"
	      " \"action\": {\"reply\": {\"result\": {\"$file\": \"none.json.gz\"}}}}]}", f);
	fclose(f);
	const char *const check[] = {"--check", path, NULL};
	ck_assert_int_eq(fx_run(check, &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, ":1:119: .rules[0].action.reply.result.\"$file\": "
					      "expected a file name relative to the scenario's "
					      "folder, without \"..\", found string \"../x.json\""));
	ck_assert_ptr_nonnull(strstr(out.data, ":2:87: .rules[1].action.reply.result.\"$file\": "
					      "expected the name of a readable file (No such file or "
					      "directory), found string \"none.json.gz\""));
	buf_clear(&out);
	rm_rf(dir);
}
END_TEST

/* Sends Browser.getVersion on a new browser socket of s and reads the
 * reply and the two Gap events; returns the ms from the send to
 * Gap.second. */
static long long gap_session(const struct fx_server *s)
{
	int fd = fx_ws_browser(s);
	struct buf msg;
	buf_init(&msg, 0);
	long long t0 = fx_now_ms();
	ck_assert_int_eq(fx_ws_text(fd, "{\"id\":1,\"method\":\"Browser.getVersion\"}"), 0);
	ck_assert_int_eq(fx_ws_next_text(fd, fx_timeout_ms(), &msg), 0);
	ck_assert_msg(strstr(msg.data, "\"id\":1,\"result\":{") != NULL, "not the reply: %.300s",
		      msg.data);
	ck_assert_int_eq(fx_ws_next_text(fd, fx_timeout_ms(), &msg), 0);
	ck_assert_str_eq(msg.data, "{\"method\":\"Gap.first\",\"params\":{}}");
	ck_assert_int_eq(fx_ws_next_text(fd, fx_timeout_ms(), &msg), 0);
	long long t = fx_now_ms() - t0;
	ck_assert_str_eq(msg.data, "{\"method\":\"Gap.second\",\"params\":{}}");
	buf_clear(&msg);
	close(fd);
	return t;
}

/* --replay-timing: a recording of an event that came 600 ms after its
 * command replays with about that gap under `real`, and at once under
 * `fast` (the default). */
START_TEST(replay_timing)
{
	char dir[] = "/tmp/cdpmock-tim-XXXXXX", scen[300], up_scen[300], up_url[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(scen, sizeof(scen), "%s/gap.json", dir);
	snprintf(up_scen, sizeof(up_scen), "%s/upstream.json", dir);
	static const char upstream[] =
	    "{\"description\": \"two events, 600 ms apart, after Browser.getVersion\","
	    " \"timelines\": [{\"start\": {\"direction\": \"out\", \"kind\": \"reply\","
	    " \"method\": \"Browser.getVersion\"}, \"steps\": ["
	    "{\"at\": 0, \"emit\": {\"method\": \"Gap.first\"}},"
	    "{\"at\": 600, \"emit\": {\"method\": \"Gap.second\"}}]}]}";
	FILE *f = fopen(up_scen, "w");
	ck_assert_ptr_nonnull(f);
	fputs(upstream, f);
	fclose(f);
	struct fx_server up, px, re;
	const char *const uargs[] = {"--scenario", up_scen, NULL};
	fx_start(&up, uargs);
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%d", up.port);
	const char *const pargs[] = {"--record-upstream", up_url, "--record", scen, NULL};
	fx_start(&px, pargs);
	long long recorded = gap_session(&px);
	ck_assert_int_ge(recorded, 600);
	fx_stop(&px);
	fx_stop(&up);

	/* The file keeps the times: the second event about 600 ms after the
	 * command, the first about when the reply came. */
	json_error_t e;
	json_t *sc = json_load_file(scen, 0, &e);
	ck_assert_ptr_nonnull(sc);
	json_t *action = json_object_get(json_array_get(json_object_get(sc, "rules"), 0), "action");
	json_t *emits = json_object_get(action, "emit");
	ck_assert_int_eq(json_array_size(emits), 2);
	json_int_t reply_at = json_integer_value(json_object_get(action, "replyAtMs"));
	json_int_t first_at = json_integer_value(json_object_get(json_array_get(emits, 0), "atMs"));
	json_int_t second_at = json_integer_value(json_object_get(json_array_get(emits, 1), "atMs"));
	ck_assert_int_ge(first_at, reply_at);
	/* Both steps count from the upstream's reply: the second is 600 ms
	 * after it (the first "at 0" may itself be late on a slow run).  The
	 * proxy stamps what it receives, so its own scheduling shows: under
	 * valgrind code run for the first time (the reply's path) is
	 * translated first and comes out tens of ms late. */
	ck_assert_int_ge(second_at - reply_at, fx_slow() ? 540 : 590);
	ck_assert_int_le(second_at, recorded + 1);
	json_decref(sc);

	/* fast (the default): both events right after the reply. */
	const char *const fargs[] = {"--scenario", scen, NULL};
	fx_start(&re, fargs);
	long long fast = gap_session(&re);
	fx_stop(&re);
	ck_assert_msg(fast < 300 * (fx_slow() ? 10 : 1), "fast replay took %lld ms", fast);

	/* real: the recorded gap, not less; more only by scheduling. */
	const char *const rargs[] = {"--scenario", scen, "--replay-timing", "real", NULL};
	fx_start(&re, rargs);
	long long real = gap_session(&re);
	fx_stop(&re);
	ck_assert_msg(real >= second_at - 5, "real replay took %lld ms, recorded %lld", real,
		      (long long)second_at);
	ck_assert_msg(real < second_at + 1500 * (fx_slow() ? 10 : 1),
		      "real replay took %lld ms, recorded %lld", real, (long long)second_at);

	struct buf out;
	buf_init(&out, 0);
	const char *const bad[] = {"--scenario", scen, "--replay-timing", "slow", NULL};
	ck_assert_int_ne(fx_run(bad, &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "--replay-timing takes real or fast"));
	buf_clear(&out);
	rm_rf(dir);
}
END_TEST

Suite *record_suite(void);
Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, record_then_replay_cdpcli);
	tcase_add_test(tc, redaction);
	tcase_add_test(tc, file_references);
	tcase_add_test(tc, replay_timing);
	suite_add_tcase(s, tc);
	return s;
}
