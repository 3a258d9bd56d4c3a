/* ptest.c - helpers for the page-domain suites (see ptest.h). */
#include "ptest.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ptest_timeout_ms(void)
{
	return 5000; /* the harness stretches it under CDPM_SLOW */
}

int ptest_browser(const struct harness_server *srv)
{
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv->browser_id);
	int fd = harness_ws_open(srv, path, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* Reads frames on fd until one starts with prefix (events before it are
 * skipped); the frame stays in out. */
static void ptest_until(int fd, const char *prefix, struct buf *out)
{
	for (;;) {
		ck_assert_int_eq(harness_ws_next_text(fd, ptest_timeout_ms(), out), 0);
		if (!strncmp(out->data, prefix, strlen(prefix)))
			return;
	}
}

void ptest_new_page(int bfd, char *tid)
{
	struct buf m;
	buf_init(&m, 0);
	ck_assert_int_eq(harness_ws_text(bfd, "{\"id\":900,\"method\":\"Target.createTarget\","
					      "\"params\":{\"url\":\"about:blank\"}}"),
			 0);
	const char *p = "{\"id\":900,\"result\":{\"targetId\":\"";
	ptest_until(bfd, p, &m);
	snprintf(tid, 33, "%.32s", m.data + strlen(p));
	buf_clear(&m);
}

void ptest_open(struct ptest *p, const struct harness_server *srv, int bfd, const char *tid,
		enum ptest_via via)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->msg, 0);
	snprintf(p->tid, sizeof(p->tid), "%s", tid);
	if (via == PTEST_PAGE_SOCKET) {
		char path[128];
		snprintf(path, sizeof(path), "/devtools/page/%s", tid);
		p->fd = harness_ws_open(srv, path, NULL, NULL);
		ck_assert_int_ge(p->fd, 0);
		p->own_fd = 1;
		return;
	}
	p->fd = bfd;
	char req[256];
	snprintf(req, sizeof(req),
		 "{\"id\":901,\"method\":\"Target.attachToTarget\",\"params\":"
		 "{\"targetId\":\"%s\",\"flatten\":true}}",
		 tid);
	ck_assert_int_eq(harness_ws_text(bfd, req), 0);
	const char *ev = "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"";
	ptest_until(bfd, ev, &p->msg);
	snprintf(p->sid, sizeof(p->sid), "%.32s", p->msg.data + strlen(ev));
	ptest_until(bfd, "{\"id\":901,", &p->msg);
	struct buf want;
	buf_init(&want, 0);
	buf_printf(&want, "{\"id\":901,\"result\":{\"sessionId\":\"%s\"}}", p->sid);
	ck_assert_str_eq(p->msg.data, want.data);
	buf_clear(&want);
}

void ptest_close(struct ptest *p)
{
	if (p->own_fd)
		close(p->fd);
	buf_clear(&p->msg);
}

/* json with ,"sessionId":"..." before its final '}' when p is a session. */
static void ptest_with_sid(const struct ptest *p, const char *json, struct buf *out)
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

void ptest_send(struct ptest *p, const char *json)
{
	struct buf b;
	buf_init(&b, 0);
	ptest_with_sid(p, json, &b);
	ck_assert_int_eq(harness_ws_text(p->fd, b.data), 0);
	buf_clear(&b);
}

const char *ptest_next(struct ptest *p)
{
	ck_assert_int_eq(harness_ws_next_text(p->fd, ptest_timeout_ms(), &p->msg), 0);
	return p->msg.data;
}

int ptest_match(const char *want, const char *got)
{
	for (; *want; want++, got++) {
		if (*want == '*') {
			/* Try every split; the strings here are short enough. */
			for (const char *g = got;; g++) {
				if (ptest_match(want + 1, g))
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

void ptest_want(const struct ptest *p, const char *want, struct buf *out)
{
	ptest_with_sid(p, want, out);
}

void ptest_expect(struct ptest *p, const char *want)
{
	struct buf w;
	buf_init(&w, 0);
	ptest_with_sid(p, want, &w);
	ptest_next(p);
	if (!ptest_match(w.data, p->msg.data))
		ck_abort_msg("frame mismatch\n  want: %s\n  got:  %.2000s", w.data, p->msg.data);
	buf_clear(&w);
}

void ptest_call(struct ptest *p, const char *json, const char *want)
{
	ptest_send(p, json);
	ptest_expect(p, want);
}

int ptest_quiet(struct ptest *p, int ms)
{
	return harness_ws_next_text(p->fd, ms, &p->msg) != 0;
}
