/* fixture.c - the server process, the shared per-suite fixtures, and
 * connections with exact-frame send/expect (see fixture.h).  Raw bytes on
 * the wire are fixture_wire.c's; traces and streams fixture_trace.c's. */
#include "fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cdpclient.h"

int fx_server_failures;
pid_t fx_runner_pid;
struct fx_server fx_srv;
struct fx_conn fx_br;

/* ---- the server ---- */

int fx_slow(void)
{
	return getenv("CDPM_SLOW") != NULL;
}

long long fx_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The "key:" line of /proc/pid/status, in kB; -1 if there is none. */
static long fx_status_kb(int pid, const char *key)
{
	char path[64], line[256];
	long kb = -1;
	size_t n = strlen(key);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

long fx_rss_kb(int pid)
{
	return fx_status_kb(pid, "VmRSS");
}

long fx_peak_rss_kb(int pid)
{
	return fx_status_kb(pid, "VmHWM");
}

const char *fx_srcdir(void)
{
	return getenv("CDPM_SRCDIR") ? getenv("CDPM_SRCDIR") : ".";
}

void fx_read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char tmp[65536];
	size_t n;
	buf_reset(out);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(out, tmp, n);
	fclose(f);
}

void fx_temp_file(char *path, const void *data, size_t n)
{
	snprintf(path, 64, "/tmp/cdpm-test-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

int fx_try_start(struct fx_server *s, const char *const *extra)
{
	const char *bin = fx_bin();
	const char *wrap = getenv("CDPMOCK_WRAP");
	char *argv[64];
	int argc = 0;
	char *wrapcopy = NULL;
	memset(s, 0, sizeof(*s));
	if (wrap && *wrap) {
		wrapcopy = strdup(wrap);
		for (char *t = strtok(wrapcopy, " "); t && argc < 40; t = strtok(NULL, " "))
			argv[argc++] = t;
	}
	argv[argc++] = (char *)bin;
	argv[argc++] = "--remote-debugging-port=0";
	for (int i = 0; extra && extra[i] && argc < 62; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;
	int pfd[2];
	if (pipe(pfd))
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	free(wrapcopy);
	close(pfd[1]);
	s->stderr_fd = pfd[0];
	/* Read stderr until the banner line appears. */
	char line[4096];
	size_t n = 0;
	long long deadline = fx_now_ms() + (fx_slow() ? 60000 : 10000);
	for (;;) {
		struct pollfd p = {s->stderr_fd, POLLIN, 0};
		int left = (int)(deadline - fx_now_ms());
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		ssize_t r = read(s->stderr_fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] != '\n' && n < sizeof(line) - 2) {
			n++;
			continue;
		}
		line[n] = '\0';
		n = 0;
		const char *pfx = "DevTools listening on ";
		if (strncmp(line, pfx, strlen(pfx)))
			continue;
		snprintf(s->ws_url, sizeof(s->ws_url), "%.200s", line + strlen(pfx));
		const char *colon = strrchr(s->ws_url, ':');
		s->port = atoi(colon + 1);
		const char *slash = strrchr(s->ws_url, '/');
		snprintf(s->browser_id, sizeof(s->browser_id), "%s", slash + 1);
		break;
	}
	/* Keep draining stderr so a chatty server (valgrind) never blocks. */
	fcntl(s->stderr_fd, F_SETFL, O_NONBLOCK);
	struct buf body;
	buf_init(&body, 0);
	if (!fx_get(s, "/json/list", &body)) {
		const char *id = strstr(body.data, "\"id\": \"");
		if (id)
			snprintf(s->page_id, sizeof(s->page_id), "%.32s", id + 7);
	}
	buf_clear(&body);
	return 0;
}

static void fx_drain_stderr(struct fx_server *s)
{
	char tmp[4096];
	ssize_t r;
	while ((r = read(s->stderr_fd, tmp, sizeof(tmp))) > 0)
		fwrite(tmp, 1, (size_t)r, stderr); /* valgrind reports end up in the log */
}

int fx_stop_status(struct fx_server *s)
{
	int status = 0;
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	long long deadline = fx_now_ms() + (fx_slow() ? 60000 : 10000);
	for (;;) {
		fx_drain_stderr(s);
		pid_t r = waitpid(s->pid, &status, WNOHANG);
		if (r == s->pid)
			break;
		if (fx_now_ms() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			status = -1;
			break;
		}
		usleep(10000);
	}
	fx_drain_stderr(s);
	close(s->stderr_fd);
	s->pid = 0;
	if (status == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void fx_start(struct fx_server *s, const char *const *extra)
{
	if (fx_try_start(s, extra)) {
		fprintf(stderr, "cannot start cdpmock ($CDPMOCK_BIN)\n");
		exit(2);
	}
}

void fx_start_knobs(struct fx_server *s, const char *knobs, const char *const *extra)
{
	if (knobs)
		setenv("CDPM_KNOBS", knobs, 1);
	fx_start(s, extra);
	unsetenv("CDPM_KNOBS");
}

void fx_stop(struct fx_server *s)
{
	int st = fx_stop_status(s);
	/* Inside a forked test (a checked fixture or the test body) a count
	 * would die with the child: fail the test instead. */
	if (getpid() != fx_runner_pid) {
		ck_assert_msg(st == 0, "cdpmock exited with status %d", st);
		return;
	}
	if (st != 0) {
		fprintf(stderr, "cdpmock exited with status %d\n", st);
		fx_server_failures++;
	}
}

const char *fx_bin(void)
{
	return getenv("CDPMOCK_BIN") ? getenv("CDPMOCK_BIN") : "build/cdpmock";
}

int fx_run(const char *const *args, struct buf *out)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		const char *argv[64] = {fx_bin()};
		int n = 1;
		for (; args[n - 1] && n < 63; n++)
			argv[n] = args[n - 1];
		argv[n] = NULL;
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	char tmp[4096];
	ssize_t r;
	buf_reset(out);
	while ((r = read(p[0], tmp, sizeof(tmp))) > 0)
		buf_add(out, tmp, (size_t)r);
	close(p[0]);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the shared fixtures ---- */

void fx_setup_server(void)
{
	fx_start(&fx_srv, NULL);
}

void fx_teardown_server(void)
{
	fx_stop(&fx_srv);
}

void fx_setup(void)
{
	fx_setup_server();
	fx_browser(&fx_br, &fx_srv);
}

void fx_teardown(void)
{
	fx_close(&fx_br);
	fx_teardown_server();
}

/* ---- connections ---- */

int fx_timeout_ms(void)
{
	return 5000; /* fixture_wire.c stretches it under CDPM_SLOW */
}

int fx_ws_browser(const struct fx_server *s)
{
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", s->browser_id);
	int fd = fx_ws_open(s, path, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	return fd;
}

int fx_ws_page(const struct fx_server *s, const char *tid)
{
	char path[128];
	snprintf(path, sizeof(path), "/devtools/page/%s", tid ? tid : s->page_id);
	int fd = fx_ws_open(s, path, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	return fd;
}

void fx_browser(struct fx_conn *p, const struct fx_server *s)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->msg, 0);
	p->fd = fx_ws_browser(s);
	p->own_fd = 1;
}

int fx_client(const struct fx_server *s, const struct cdpc_opts *o, struct cdpc **out,
	      struct buf *err)
{
	char ep[64];
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", s->port);
	return cdpc_connect(ep, o, out, err);
}

/* Reads frames on fd until one starts with prefix (events before it are
 * skipped); the frame stays in out. */
static void fx_until(int fd, const char *prefix, struct buf *out)
{
	for (;;) {
		ck_assert_int_eq(fx_ws_next_text(fd, fx_timeout_ms(), out), 0);
		if (!strncmp(out->data, prefix, strlen(prefix)))
			return;
	}
}

void fx_new_page(int bfd, char *tid)
{
	struct buf m;
	buf_init(&m, 0);
	ck_assert_int_eq(fx_ws_text(bfd, "{\"id\":900,\"method\":\"Target.createTarget\","
					 "\"params\":{\"url\":\"about:blank\"}}"),
			 0);
	const char *p = "{\"id\":900,\"result\":{\"targetId\":\"";
	fx_until(bfd, p, &m);
	snprintf(tid, 33, "%.32s", m.data + strlen(p));
	buf_clear(&m);
}

void fx_open(struct fx_conn *p, const struct fx_server *s, int bfd, const char *tid,
	     enum fx_via via)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->msg, 0);
	snprintf(p->tid, sizeof(p->tid), "%s", tid);
	if (via == FX_PAGE_SOCKET) {
		p->fd = fx_ws_page(s, tid);
		p->own_fd = 1;
		return;
	}
	p->fd = bfd;
	char req[256];
	snprintf(req, sizeof(req),
		 "{\"id\":901,\"method\":\"Target.attachToTarget\",\"params\":"
		 "{\"targetId\":\"%s\",\"flatten\":true}}",
		 tid);
	ck_assert_int_eq(fx_ws_text(bfd, req), 0);
	const char *ev = "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"";
	fx_until(bfd, ev, &p->msg);
	snprintf(p->sid, sizeof(p->sid), "%.32s", p->msg.data + strlen(ev));
	fx_until(bfd, "{\"id\":901,", &p->msg);
	struct buf want;
	buf_init(&want, 0);
	buf_printf(&want, "{\"id\":901,\"result\":{\"sessionId\":\"%s\"}}", p->sid);
	ck_assert_str_eq(p->msg.data, want.data);
	buf_clear(&want);
}

void fx_close(struct fx_conn *p)
{
	if (p->own_fd)
		close(p->fd);
	p->own_fd = 0;
	p->fd = -1;
	buf_clear(&p->msg);
}

/* json with ,"sessionId":"..." before its final '}' when p is a session. */
static void fx_with_sid(const struct fx_conn *p, const char *json, struct buf *out)
{
	size_t n = strlen(json);
	buf_reset(out);
	if (!p->sid[0] || !n || json[n - 1] != '}') {
		buf_adds(out, json);
		return;
	}
	buf_add(out, json, n - 1);
	buf_printf(out, ",\"sessionId\":\"%s\"}", p->sid);
}

void fx_send(struct fx_conn *p, const char *json)
{
	struct buf b;
	buf_init(&b, 0);
	fx_with_sid(p, json, &b);
	ck_assert_int_eq(fx_ws_text(p->fd, b.data), 0);
	buf_clear(&b);
}

const char *fx_next(struct fx_conn *p)
{
	ck_assert_int_eq(fx_ws_next_text(p->fd, fx_timeout_ms(), &p->msg), 0);
	return p->msg.data;
}

int fx_match(const char *want, const char *got)
{
	for (; *want; want++, got++) {
		if (*want == '*') {
			/* Try every split; the strings here are short enough. */
			for (const char *g = got;; g++) {
				if (fx_match(want + 1, g))
					return 1;
				if (!*g)
					return 0;
			}
		}
		if (*want != *got)
			return 0;
	}
	return *got == '\0';
}

void fx_want(const struct fx_conn *p, const char *want, struct buf *out)
{
	fx_with_sid(p, want, out);
}

void fx_expect(struct fx_conn *p, const char *want)
{
	struct buf w;
	buf_init(&w, 0);
	fx_with_sid(p, want, &w);
	fx_next(p);
	if (!fx_match(w.data, p->msg.data))
		ck_abort_msg("frame mismatch\n  want: %s\n  got:  %.2000s", w.data, p->msg.data);
	buf_clear(&w);
}

void fx_call(struct fx_conn *p, const char *json, const char *want)
{
	fx_send(p, json);
	fx_expect(p, want);
}

int fx_quiet(struct fx_conn *p, int ms)
{
	return fx_ws_next_text(p->fd, ms, &p->msg) != 0;
}

/* ---- commands ---- */

void fx_cmd(struct fx_conn *p, int id, const char *method, const char *params)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "{\"id\":%d,\"method\":\"%s\"%s%s}", id, method,
		   params ? ",\"params\":" : "", params ? params : "");
	fx_send(p, b.data);
	buf_clear(&b);
}

void fx_cmd_expect(struct fx_conn *p, int id, const char *method, const char *params,
		   const char *want)
{
	struct buf w;
	buf_init(&w, 0);
	const char *d = strstr(want, "%d");
	if (d) {
		buf_add(&w, want, (size_t)(d - want));
		buf_printf(&w, "%d%s", id, d + 2);
	} else {
		buf_adds(&w, want);
	}
	fx_cmd(p, id, method, params);
	fx_expect(p, w.data);
	buf_clear(&w);
}

void fx_ok(struct fx_conn *p, int id, const char *method, const char *params)
{
	fx_cmd_expect(p, id, method, params, "{\"id\":%d,\"result\":{}}");
}

void fx_err(struct fx_conn *p, int id, const char *method, const char *params, int code,
	    const char *message)
{
	struct buf w;
	buf_init(&w, 0);
	buf_printf(&w, "{\"id\":%d,\"error\":{\"code\":%d,\"message\":\"%s\"}}", id, code, message);
	fx_cmd(p, id, method, params);
	fx_expect(p, w.data);
	buf_clear(&w);
}
