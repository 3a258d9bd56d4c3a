/* test_cli.c - the cdpmock command line: Chrome's flags, the banner, the
 * journal, DevToolsActivePort, the pipe transport, signals, --seed. */
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

START_TEST(help_and_version)
{
	struct buf out;
	buf_init(&out, 0);
	static const char *const h[] = {"--help", NULL};
	ck_assert_int_eq(fx_run(h, &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "--remote-debugging-port=N"));
	ck_assert_ptr_nonnull(strstr(out.data, "--scenario FILE"));
	static const char *const v[] = {"--version", NULL};
	ck_assert_int_eq(fx_run(v, &out), 0);
	ck_assert_int_eq(strncmp(out.data, "cdpmock ", 8), 0);
	static const char *const bad[] = {"--remote-debugging-port=99999", NULL};
	ck_assert_int_eq(fx_run(bad, &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "bad port"));
	buf_clear(&out);
}
END_TEST

START_TEST(puppeteer_flags_and_banner)
{
	struct fx_server srv;
	char udd[] = "/tmp/cdpmock-udd-XXXXXX", jpath[256];
	ck_assert_ptr_nonnull(mkdtemp(udd));
	snprintf(jpath, sizeof(jpath), "%s/journal.jsonl", udd);
	char uflag[300];
	snprintf(uflag, sizeof(uflag), "--user-data-dir=%s/profile", udd);
	const char *const args[] = {"--allow-pre-commit-input", "--enable-automation",
				    "--headless=new", "--no-sandbox", "--disable-gpu",
				    "--hide-scrollbars", "--mute-audio", uflag, "--journal", jpath,
				    "about:blank", NULL};
	ck_assert_int_eq(fx_try_start(&srv, args), 0);
	/* puppeteer's own pattern for the endpoint line */
	regex_t re;
	ck_assert_int_eq(regcomp(&re, "^ws://127\\.0\\.0\\.1:[0-9]+/devtools/browser/"
				      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
				 REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regexec(&re, srv.ws_url, 0, NULL, 0), 0);
	regfree(&re);
	/* DevToolsActivePort: "PORT\n/devtools/browser/UUID" */
	char path[512], want[256], got[256] = {0};
	snprintf(path, sizeof(path), "%s/profile/DevToolsActivePort", udd);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	snprintf(want, sizeof(want), "%d\n/devtools/browser/%s", srv.port, srv.browser_id);
	ck_assert_str_eq(got, want);
	/* One exchange, then the journal must hold it. */
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv.browser_id);
	int fd = fx_ws_open(&srv, path, NULL, NULL);
	struct buf msg;
	buf_init(&msg, 0);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":1,\"method\":\"Browser.getVersion\"}", &msg), 0);
	close(fd);
	ck_assert_int_eq(fx_stop_status(&srv), 0);
	fx_read_file(jpath, &msg);
	ck_assert_ptr_nonnull(strstr(msg.data, "\"dir\":\"note\",\"text\":\"ignored Chrome flags: "
					       "--allow-pre-commit-input --enable-automation"));
	ck_assert_ptr_nonnull(strstr(msg.data, "\"dir\":\"in\",\"msg\":{\"id\":1,\"method\":"
					       "\"Browser.getVersion\"}}\n"));
	ck_assert_ptr_nonnull(strstr(msg.data, "\"dir\":\"out\",\"msg\":{\"id\":1,\"result\":"
					       "{\"protocolVersion\""));
	buf_clear(&msg);
	snprintf(path, sizeof(path), "rm -rf '%s'", udd);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* -v: one plain line per connection, message and note on stderr (no
 * colours when stderr is not a terminal). */
START_TEST(verbose_tells_each_message)
{
	struct fx_server srv;
	const char *args[] = {"-v", NULL};
	ck_assert_int_eq(fx_try_start(&srv, args), 0);
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv.browser_id);
	int fd = fx_ws_open(&srv, path, NULL, NULL);
	struct buf msg, err;
	buf_init(&msg, 0);
	buf_init(&err, 0);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":7,\"method\":\"Browser.getVersion\"}", &msg), 0);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":8,\"method\":\"Tracing.nope\"}", &msg), 0);
	close(fd);
	/* stderr is non-blocking once the server is up: read what it told. */
	char tmp[4096];
	long long until = fx_now_ms() + 5000;
	while (fx_now_ms() < until && (!err.data || !strstr(err.data, "WebSocket closed\n"))) {
		ssize_t r = read(srv.stderr_fd, tmp, sizeof(tmp));
		if (r > 0)
			buf_add(&err, tmp, (size_t)r);
		else
			usleep(10000);
		buf_finish(&err);
	}
	ck_assert_int_eq(fx_stop_status(&srv), 0);
	ck_assert_ptr_nonnull(err.data);
	char want[256];
	snprintf(want, sizeof(want), "cdpmock: #2 WebSocket open on %s\n", path);
	ck_assert_msg(strstr(err.data, want), "%s", err.data);
	ck_assert_ptr_nonnull(strstr(err.data, "\ncdpmock: #2 -> Browser.getVersion 38 B\n"
					      "cdpmock: #2 <- Browser.getVersion reply id=7 "));
	ck_assert_ptr_nonnull(strstr(err.data, "\ncdpmock: #2 -> Tracing.nope 32 B\n"
					      "cdpmock: #2 <- Tracing.nope error id=8 "));
	ck_assert_ptr_nonnull(strstr(err.data, "\ncdpmock: #2 WebSocket closed\n"));
	ck_assert_ptr_null(strchr(err.data, '\033'));
	buf_clear(&msg);
	buf_clear(&err);
}
END_TEST

START_TEST(sigint_exits_cleanly)
{
	struct fx_server srv;
	ck_assert_int_eq(fx_try_start(&srv, NULL), 0);
	kill(srv.pid, SIGINT);
	int st;
	ck_assert_int_eq(waitpid(srv.pid, &st, 0), srv.pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	close(srv.stderr_fd);
}
END_TEST

START_TEST(seed_makes_ids_reproducible)
{
	struct fx_server a, b, c;
	static const char *const s1[] = {"--seed", "42", NULL};
	static const char *const s2[] = {"--seed=43", NULL};
	ck_assert_int_eq(fx_try_start(&a, s1), 0);
	ck_assert_int_eq(fx_try_start(&b, s1), 0);
	ck_assert_int_eq(fx_try_start(&c, s2), 0);
	ck_assert_str_eq(a.browser_id, b.browser_id);
	ck_assert_str_eq(a.page_id, b.page_id);
	ck_assert_str_ne(a.browser_id, c.browser_id);
	ck_assert_int_eq(fx_stop_status(&a), 0);
	ck_assert_int_eq(fx_stop_status(&b), 0);
	ck_assert_int_eq(fx_stop_status(&c), 0);
}
END_TEST

START_TEST(pipe_transport)
{
	int to[2], from[2];
	ck_assert_int_eq(pipe(to), 0);
	ck_assert_int_eq(pipe(from), 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* The child reads fd 3 and writes fd 4, as Chrome does. */
		/* Move both ends out of the way first: the pipes may own fds 3/4. */
		int rd = fcntl(to[0], F_DUPFD, 20), wr = fcntl(from[1], F_DUPFD, 20);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		dup2(rd, 3);
		dup2(wr, 4);
		close(rd);
		close(wr);
		const char *wrap = getenv("CDPMOCK_WRAP");
		if (wrap && *wrap) {
			char cmd[2048];
			snprintf(cmd, sizeof(cmd), "exec %s %s --remote-debugging-pipe", wrap,
				 fx_bin());
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		}
		execl(fx_bin(), fx_bin(), "--remote-debugging-pipe", "--headless=new",
		      (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	static const char req[] = "{\"id\":1,\"method\":\"Browser.getVersion\"}";
	ck_assert_int_eq(write(to[1], req, sizeof(req)), (ssize_t)sizeof(req)); /* with the NUL */
	struct buf got;
	buf_init(&got, 0);
	char tmp[4096];
	while (!got.len || got.data[got.len - 1] != '\0') {
		struct pollfd pf = {from[0], POLLIN, 0};
		ck_assert_int_gt(poll(&pf, 1, getenv("CDPM_SLOW") ? 60000 : 5000), 0);
		ssize_t r = read(from[0], tmp, sizeof(tmp));
		ck_assert_int_gt(r, 0);
		buf_add(&got, tmp, (size_t)r);
	}
	ck_assert_int_eq(strncmp(got.data, "{\"id\":1,\"result\":{\"protocolVersion\":\"1.3\"", 40), 0);
	/* Closing our end of the pipe ends the browser, as with Chrome. */
	close(to[1]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	close(from[0]);
	buf_clear(&got);
}
END_TEST

Suite *cli_suite(void);
Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("flags");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, puppeteer_flags_and_banner);
	tcase_add_test(tc, sigint_exits_cleanly);
	tcase_add_test(tc, verbose_tells_each_message);
	tcase_add_test(tc, seed_makes_ids_reproducible);
	tcase_add_test(tc, pipe_transport);
	suite_add_tcase(s, tc);
	return s;
}
