/* ptest.h - helpers for the page-domain suites (Profiler, console
 * profiles, coverage, the Page shell): a fresh page per test on a shared
 * server, reached through the page socket or a flat session on the browser
 * socket, and exact-frame expectations where the sessionId is filled in. */
#ifndef CDPM_PTEST_H
#define CDPM_PTEST_H

#include "itest.h"

/* One way to talk to a page. */
struct ptest {
	int fd;		/* the socket the commands go on */
	int own_fd;	/* fd is ours to close */
	char tid[33];	/* the page's target id */
	char sid[33];	/* flat session id, or "" on the page socket */
	struct buf msg; /* the last frame read */
};

enum ptest_via { PTEST_PAGE_SOCKET, PTEST_FLAT_SESSION };

/* ptest_browser() - a browser socket on srv (aborts the test on failure). */
int ptest_browser(const struct harness_server *srv);
/* ptest_new_page() - Target.createTarget about:blank on the browser socket
 * bfd; the new target id goes to tid (33 bytes). */
void ptest_new_page(int bfd, char *tid);
/* ptest_open() - reaches page tid: a new page socket, or a flat session
 * attached on bfd (the attach event and reply are checked and consumed). */
void ptest_open(struct ptest *p, const struct harness_server *srv, int bfd, const char *tid,
		enum ptest_via via);
/* ptest_close() - closes the page socket if it is ours; frees msg. */
void ptest_close(struct ptest *p);

/* ptest_send() - sends json on p's session (the sessionId is added). */
void ptest_send(struct ptest *p, const char *json);
/* ptest_next() - reads the next frame into p->msg and returns its text. */
const char *ptest_next(struct ptest *p);
/* ptest_expect() - the next frame must match want followed by p's
 * sessionId; '*' in want matches any run of characters. */
void ptest_expect(struct ptest *p, const char *want);
/* ptest_call() - ptest_send() then ptest_expect(). */
void ptest_call(struct ptest *p, const char *json, const char *want);
/* ptest_match() - glob match with '*' (the helper behind ptest_expect). */
int ptest_match(const char *want, const char *got);
/* ptest_want() - want with p's sessionId added, into out. */
void ptest_want(const struct ptest *p, const char *want, struct buf *out);
/* ptest_quiet() - 1 if no frame arrives on p within ms. */
int ptest_quiet(struct ptest *p, int ms);
/* ptest_timeout_ms() - the per-frame timeout (longer under valgrind). */
int ptest_timeout_ms(void);

#endif
