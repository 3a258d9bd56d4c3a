/* test_pipe.c - --remote-debugging-pipe under load: the server reads fd 3
 * and writes fd 4, NUL-terminated JSON, as Chrome does.  Tens of megabytes
 * must come out whole however often the pipe is full (a short write must
 * not stop the writing).  The basic exchange is test_cli.c's. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

struct pipe_server {
	pid_t pid;
	int to, from; /* our ends: we write to, read from */
	struct buf in; /* bytes read and not yet split into messages */
};

static void pipe_start(struct pipe_server *p, const char *scenario)
{
	int to[2], from[2];
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", getenv("CDPM_SRCDIR") ? getenv("CDPM_SRCDIR") : ".",
		 scenario);
	ck_assert_int_eq(pipe(to), 0);
	ck_assert_int_eq(pipe(from), 0);
	p->pid = fork();
	if (p->pid == 0) {
		/* The pipes may own fds 3 and 4: move them out of the way first. */
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
			char cmd[4096];
			snprintf(cmd, sizeof(cmd), "exec %s %s --remote-debugging-pipe --scenario %s",
				 wrap, fx_bin(), path);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		}
		execl(fx_bin(), fx_bin(), "--remote-debugging-pipe", "--scenario", path,
		      (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	p->to = to[1];
	p->from = from[0];
	buf_init(&p->in, 0);
}

static void pipe_send(struct pipe_server *p, const char *json)
{
	size_t n = strlen(json) + 1; /* with the NUL */
	ck_assert_int_eq((int)write(p->to, json, n), (int)n);
}

/* The next message (without its NUL) into out; fails after timeout_ms of
 * silence. */
static void pipe_next(struct pipe_server *p, int timeout_ms, struct buf *out)
{
	for (;;) {
		char *nul = p->in.len ? memchr(p->in.data, '\0', p->in.len) : NULL;
		if (nul) {
			size_t n = (size_t)(nul - p->in.data);
			buf_reset(out);
			buf_add(out, p->in.data, n);
			memmove(p->in.data, nul + 1, p->in.len - n - 1);
			p->in.len -= n + 1;
			return;
		}
		struct pollfd pf = {p->from, POLLIN, 0};
		ck_assert_msg(poll(&pf, 1, timeout_ms) == 1,
			      "the pipe went quiet with %zu bytes of a message read", p->in.len);
		char tmp[65536];
		ssize_t r = read(p->from, tmp, sizeof(tmp));
		ck_assert_int_gt(r, 0);
		buf_add(&p->in, tmp, (size_t)r);
	}
}

static void pipe_stop(struct pipe_server *p)
{
	/* Closing our end ends the browser, as with Chrome. */
	close(p->to);
	int st;
	ck_assert_int_eq(waitpid(p->pid, &st, 0), p->pid);
	close(p->from);
	buf_clear(&p->in);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}

static int timeout_ms(void)
{
	return getenv("CDPM_SLOW") ? 120000 : 15000;
}

START_TEST(a_27_mb_trace_comes_out_whole)
{
	/* 150,000 events, about 27 MB in dataCollected batches: the pipe is
	 * full again and again, so writes come up short. */
	struct pipe_server p;
	struct buf msg;
	buf_init(&msg, 0);
	pipe_start(&p, "scenarios/tracing/events-150k.json");
	pipe_send(&p, "{\"id\":1,\"method\":\"Tracing.start\",\"params\":{\"transferMode\":"
		      "\"ReportEvents\"}}");
	pipe_next(&p, timeout_ms(), &msg);
	ck_assert_str_eq(msg.data, "{\"id\":1,\"result\":{}}");
	pipe_send(&p, "{\"id\":2,\"method\":\"Tracing.end\"}");
	size_t bytes = 0, batches = 0;
	int complete = 0;
	while (!complete) {
		pipe_next(&p, timeout_ms(), &msg);
		bytes += msg.len + 1;
		if (!strncmp(msg.data, "{\"method\":\"Tracing.dataCollected\"", 33))
			batches++;
		complete = !strncmp(msg.data, "{\"method\":\"Tracing.tracingComplete\"", 35);
	}
	ck_assert_uint_gt(bytes, (size_t)10 << 20);
	ck_assert_uint_ge(batches, 200);
	/* And the pipe still answers. */
	pipe_send(&p, "{\"id\":3,\"method\":\"Browser.getVersion\"}");
	pipe_next(&p, timeout_ms(), &msg);
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":3,\"result\":", 17), 0);
	pipe_stop(&p);
	buf_clear(&msg);
}
END_TEST

START_TEST(a_stream_read_in_10_mb_replies_comes_out_whole)
{
	/* ReturnAsStream, then IO.read with a large size: single messages of
	 * megabytes, each far bigger than the pipe's buffer. */
	struct pipe_server p;
	struct buf msg;
	buf_init(&msg, 0);
	pipe_start(&p, "scenarios/tracing/events-150k.json");
	pipe_send(&p, "{\"id\":1,\"method\":\"Tracing.start\",\"params\":{\"transferMode\":"
		      "\"ReturnAsStream\"}}");
	pipe_next(&p, timeout_ms(), &msg);
	ck_assert_str_eq(msg.data, "{\"id\":1,\"result\":{}}");
	pipe_send(&p, "{\"id\":2,\"method\":\"Tracing.end\"}");
	char handle[64] = "";
	while (!handle[0]) {
		pipe_next(&p, timeout_ms(), &msg);
		const char *h = strstr(msg.data, "\"stream\":\"");
		if (!strncmp(msg.data, "{\"method\":\"Tracing.tracingComplete\"", 35) && h)
			snprintf(handle, sizeof(handle), "%.*s", (int)strcspn(h + 10, "\""), h + 10);
	}
	size_t bytes = 0;
	int eof = 0;
	for (int id = 10; !eof; id++) {
		char req[256];
		snprintf(req, sizeof(req), "{\"id\":%d,\"method\":\"IO.read\",\"params\":{\"handle\":"
			 "\"%s\",\"size\":10485760}}", id, handle);
		pipe_send(&p, req);
		do
			pipe_next(&p, timeout_ms(), &msg);
		while (strncmp(msg.data, "{\"id\":", 6));
		ck_assert_msg(!strstr(msg.data, "\"error\""), "%.200s", msg.data);
		bytes += msg.len;
		eof = strstr(msg.data, "\"eof\":true") != NULL;
	}
	ck_assert_uint_gt(bytes, (size_t)10 << 20);
	pipe_stop(&p);
	buf_clear(&msg);
}
END_TEST

Suite *pipe_suite(void);
Suite *pipe_suite(void)
{
	Suite *s = suite_create("pipe");
	TCase *tc = tcase_create("big");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, a_27_mb_trace_comes_out_whole);
	tcase_add_test(tc, a_stream_read_in_10_mb_replies_comes_out_whole);
	suite_add_tcase(s, tc);
	return s;
}
