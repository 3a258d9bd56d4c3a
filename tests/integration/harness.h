/* harness.h - runs the real cdpmock binary on a loopback port the kernel
 * picks, and talks to it with raw sockets so tests can check exact bytes:
 * raw HTTP requests, and a small WebSocket client that can also send frames
 * a well-behaved client never would. */
#ifndef CDPM_HARNESS_H
#define CDPM_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

struct harness_server {
	pid_t pid;
	int port;
	int stderr_fd;
	char ws_url[256];   /* from the DevTools banner */
	char browser_id[64];
	char page_id[64];   /* the first page, from /json/list */
};

/* harness_start() - starts $CDPMOCK_BIN --remote-debugging-port=0 plus the
 * NULL-terminated extra args (under $CDPMOCK_WRAP when set, e.g. valgrind),
 * waits for the banner.  Returns 0 or -1. */
int harness_start(struct harness_server *s, const char *const *extra);
/* harness_stop() - SIGTERM, then waits; returns the exit status (0 = clean),
 * or -1 if it had to be killed. */
int harness_stop(struct harness_server *s);

/* harness_bin() - $CDPMOCK_BIN, or build/cdpmock. */
const char *harness_bin(void);
/* harness_run() - runs the server binary with the NULL-terminated args to
 * completion, stdout and stderr into out; its exit status, or -1. */
int harness_run(const char *const *args, struct buf *out);

/* harness_connect() - a TCP connection to the server (blocking, 10 s timeouts). */
int harness_connect(const struct harness_server *s);
/* harness_http() - sends req as-is and reads one response (head and a body
 * of Content-Length bytes) into out.  Returns 0, or -1 on EOF/timeout
 * before a full response (out keeps what came). */
int harness_http(int fd, const char *req, struct buf *out);
/* harness_http_once() - connect, one request, close. */
int harness_http_once(const struct harness_server *s, const char *req, struct buf *out);
/* harness_get() - "GET path HTTP/1.1" with Host 127.0.0.1:port; body only. */
int harness_get(const struct harness_server *s, const char *path, struct buf *body);
/* harness_body() - the body part of a raw HTTP response. */
const char *harness_body(const struct buf *resp);

/* harness_ws_open() - opens a WebSocket on path with extra header lines
 * (each ending in \r\n, may be NULL).  Returns the fd, or -1; *resp gets
 * the handshake response when not NULL. */
int harness_ws_open(const struct harness_server *s, const char *path, const char *extra,
		    struct buf *resp);
/* harness_ws_send() - one frame; flags: masked by default. */
int harness_ws_frame(int fd, int fin, int rsv, int opcode, int masked, const void *p, size_t n);
int harness_ws_text(int fd, const char *text);
/* harness_ws_read() - reads one whole frame: opcode, rsv bits and payload.
 * Returns 0, or -1 on EOF / timeout (timeout_ms). */
int harness_ws_read(int fd, int timeout_ms, int *opcode, int *rsv, struct buf *payload);
/* harness_ws_next_text() - the next text frame's payload (skipping nothing:
 * any other opcode is a failure). */
int harness_ws_next_text(int fd, int timeout_ms, struct buf *payload);
/* harness_ws_call() - sends text, then returns the next text frame. */
int harness_ws_call(int fd, const char *text, struct buf *reply);
/* harness_eof() - 1 if the peer closes the TCP connection within timeout. */
int harness_eof(int fd, int timeout_ms);

#endif
