/* fixture.h - the one fixture layer of the integration suites: start the
 * real cdpmock binary on a loopback port the kernel picks, talk to it, and
 * stop and reap it.  Suites include this header and nothing else of the
 * tests' own.  It is not the scenario runner (selfcheck/scenrun.h, which
 * starts its own servers).
 *
 * Three files share the fx_ prefix:
 *   fixture.c       the server process, the shared per-suite fixtures,
 *                   connections to the browser or a page, and exact-frame
 *                   send/expect (a '*' in an expected frame is a glob);
 *   fixture_wire.c  raw HTTP and a small WebSocket client that can send
 *                   frames a well-behaved client never would (exact bytes,
 *                   deliberately independent of the server's code);
 *   fixture_trace.c the Tracing collector and IO.read of a stream.
 * fx_client() opens a connection with the reference C client
 * (clients/c/cdpclient.h) for tests that want its view instead.
 *
 * Every tests/integration/test_X.c defines, on a line of its own,
 * "Suite *X_suite(void)" (after a prototype ending in ';'); the runner's
 * list is generated from those lines. */
#ifndef CDPM_FIXTURE_H
#define CDPM_FIXTURE_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

struct cdpc;
struct cdpc_opts;

/* ---- the server (fixture.c) ---- */

struct fx_server {
	pid_t pid;
	int port;
	int stderr_fd;
	char ws_url[256]; /* from the DevTools banner */
	char browser_id[64];
	char page_id[64]; /* the first page, from /json/list */
};

/* fx_try_start() - starts $CDPMOCK_BIN --remote-debugging-port=0 plus the
 * NULL-terminated extra args (may be NULL; under $CDPMOCK_WRAP when set,
 * e.g. valgrind) and waits for the banner.  Returns 0 or -1. */
int fx_try_start(struct fx_server *s, const char *const *extra);
/* fx_start() - fx_try_start(), but a server that does not start ends the
 * whole run (exit 2): nothing after it could mean anything. */
void fx_start(struct fx_server *s, const char *const *extra);
/* fx_start_knobs() - fx_start() with CDPM_KNOBS=knobs (NULL: none) in the
 * server's environment. */
void fx_start_knobs(struct fx_server *s, const char *knobs, const char *const *extra);
/* fx_stop_status() - SIGTERM, then reaps; the exit status (0 = clean), or
 * -1 if it had to be killed. */
int fx_stop_status(struct fx_server *s);
/* fx_stop() - fx_stop_status(), and a non-zero exit (valgrind error, crash,
 * leak) is a failure: of the test when called in a forked test or checked
 * fixture, else (an unchecked fixture, in the runner's process) printed and
 * counted in fx_server_failures, which fails the run.  main() sets
 * fx_runner_pid to its own pid first. */
void fx_stop(struct fx_server *s);
extern int fx_server_failures;
extern pid_t fx_runner_pid;

/* fx_bin() - $CDPMOCK_BIN, or build/cdpmock. */
const char *fx_bin(void);
/* fx_run() - runs the server binary with the NULL-terminated args to
 * completion, stdout and stderr into out; its exit status, or -1. */
int fx_run(const char *const *args, struct buf *out);

/* fx_slow() - 1 under valgrind (CDPM_SLOW): size work down, wait longer. */
int fx_slow(void);
/* fx_now_ms() - a monotonic clock for timing checks. */
long long fx_now_ms(void);
/* fx_rss_kb() / fx_peak_rss_kb() - VmRSS / VmHWM of process pid in kB,
 * or -1. */
long fx_rss_kb(int pid);
long fx_peak_rss_kb(int pid);
/* fx_srcdir() - the source tree: $CDPM_SRCDIR, or ".". */
const char *fx_srcdir(void);
/* fx_read_file() - the whole file at path into out (reset first); fails
 * the test if it cannot be opened. */
void fx_read_file(const char *path, struct buf *out);
/* fx_temp_file() - a new file /tmp/cdpm-test-XXXXXX holding the n bytes of
 * data; its path goes to path (64 bytes).  The caller unlinks it. */
void fx_temp_file(char *path, const void *data, size_t n);

/* ---- connections and expectations (fixture.c) ---- */

/* One way to talk to the browser or a page: a socket, and a flat session
 * on it or none. */
struct fx_conn {
	int fd;		/* the socket the commands go on */
	int own_fd;	/* fd is ours to close */
	char tid[33];	/* the page's target id ("" for the browser) */
	char sid[33];	/* flat session id, or "" */
	struct buf msg; /* the last frame read */
};

enum fx_via { FX_PAGE_SOCKET, FX_FLAT_SESSION };

/* The shared fixture most suites use: fx_srv started with no extra args
 * and fx_br a browser socket on it (fx_setup_server(): the server only).
 * Either kind of Check fixture: unchecked, one server per TCase; checked,
 * one per test.  The teardowns stop the server with fx_stop(). */
extern struct fx_server fx_srv;
extern struct fx_conn fx_br;
void fx_setup(void);
void fx_teardown(void);
void fx_setup_server(void);
void fx_teardown_server(void);

/* fx_ws_browser() / fx_ws_page() - a raw WebSocket to the browser, or to
 * page tid (NULL: the first page); the fd (fails the test if it cannot). */
int fx_ws_browser(const struct fx_server *s);
int fx_ws_page(const struct fx_server *s, const char *tid);
/* fx_browser() - a new browser socket as an fx_conn (closed by fx_close). */
void fx_browser(struct fx_conn *p, const struct fx_server *s);
/* fx_new_page() - Target.createTarget about:blank on the browser socket
 * bfd; the new target id goes to tid (33 bytes). */
void fx_new_page(int bfd, char *tid);
/* fx_open() - reaches page tid: a new page socket, or a flat session
 * attached on bfd (the attach event and reply are checked and consumed). */
void fx_open(struct fx_conn *p, const struct fx_server *s, int bfd, const char *tid,
	     enum fx_via via);
/* fx_close() - closes the socket if it is p's own; frees msg.  Closing
 * twice is fine. */
void fx_close(struct fx_conn *p);
/* fx_client() - a reference C client connection to s through discovery
 * (the browser, or the first page with o->page; o may be NULL for every
 * default): cdpc_connect()'s result, *out and err.  cdpc_free() it. */
int fx_client(const struct fx_server *s, const struct cdpc_opts *o, struct cdpc **out,
	      struct buf *err);

/* fx_send() - sends json on p (p's sessionId is added). */
void fx_send(struct fx_conn *p, const char *json);
/* fx_next() - reads the next frame into p->msg and returns its text. */
const char *fx_next(struct fx_conn *p);
/* fx_expect() - the next frame must match want followed by p's
 * sessionId; '*' in want matches any run of characters. */
void fx_expect(struct fx_conn *p, const char *want);
/* fx_call() - fx_send() then fx_expect(). */
void fx_call(struct fx_conn *p, const char *json, const char *want);
/* fx_match() - glob match with '*' (the helper behind fx_expect). */
int fx_match(const char *want, const char *got);
/* fx_want() - want with p's sessionId added, into out. */
void fx_want(const struct fx_conn *p, const char *want, struct buf *out);
/* fx_quiet() - 1 if no frame arrives on p within ms. */
int fx_quiet(struct fx_conn *p, int ms);
/* fx_timeout_ms() - the per-frame timeout (the wire stretches it under
 * CDPM_SLOW). */
int fx_timeout_ms(void);

/* fx_cmd() - sends {"id":id,"method":method[,"params":params]} on p. */
void fx_cmd(struct fx_conn *p, int id, const char *method, const char *params);
/* fx_cmd_expect() - fx_cmd() and the next frame must be want (glob, '*'),
 * with "%d" in want standing for id. */
void fx_cmd_expect(struct fx_conn *p, int id, const char *method, const char *params,
		   const char *want);
/* fx_ok() - fx_cmd_expect() of {"id":id,"result":{}}. */
void fx_ok(struct fx_conn *p, int id, const char *method, const char *params);
/* fx_err() - fx_cmd_expect() of an error with code and message. */
void fx_err(struct fx_conn *p, int id, const char *method, const char *params, int code,
	    const char *message);

/* ---- traces and streams (fixture_trace.c) ---- */

/* What fx_collect() saw. */
struct fx_trace {
	size_t frames;	     /* dataCollected frames */
	size_t events;	     /* events in them */
	size_t max_events;   /* most events in one frame */
	size_t max_bytes;    /* largest value array, in bytes */
	size_t head;	     /* leading ph:"M" events */
	size_t others;	     /* frames that were not trace data (replies...) */
	int data_loss;	     /* tracingComplete's dataLossOccurred */
	json_t *all;	     /* every event, when keep was set; else NULL */
	struct buf complete; /* the tracingComplete frame */
};

/* fx_collect() - reads frames on p after the Tracing.end reply until
 * Tracing.tracingComplete, checking that each dataCollected frame is
 * exactly {"method":"Tracing.dataCollected","params":{"value":[...]}} plus
 * p's sessionId, holds at most max_events events and (unless one event is
 * alone) at most max_bytes bytes of them, that every event has sorted keys
 * and the mandatory ones, that the output is ASCII and that metadata comes
 * first.  Frames of other kinds are counted in others and passed to
 * other_fn (may be NULL).  tr is initialised here; fx_trace_clear() it. */
void fx_collect(struct fx_conn *p, struct fx_trace *tr, size_t max_bytes, size_t max_events,
		int keep, void (*other_fn)(const char *frame, void *arg), void *arg);
void fx_trace_clear(struct fx_trace *tr);

/* fx_event_ok() - 1 when ev is a trace event object with sorted keys and
 * args, cat, name, ph, pid, tid and ts of the right types. */
int fx_event_ok(const json_t *ev);

/* fx_io_read() - one IO.read with params (a JSON object text) as command
 * id; the reply must be a result with exactly base64Encoded, data and eof
 * in that order.  The decoded data is appended to out; the flags go to
 * *b64 and *eof. */
void fx_io_read(struct fx_conn *p, int id, const char *params, struct buf *out, int *b64, int *eof);
/* fx_read_stream() - IO.read of handle with default sizes until eof (ids
 * from id up), each read's base64Encoded must be want_b64, and only the
 * last read (empty) has eof.  Appends to out; returns the number of reads. */
int fx_read_stream(struct fx_conn *p, int id, const char *handle, struct buf *out, int want_b64);

/* tt_b64_decode() - appends the bytes of base64 text s to out; -1 if it is
 * not strict base64.  (Named and written as it was in the old Tracing
 * helpers: it is due to be replaced by lib/'s decoder.) */
int tt_b64_decode(const char *s, size_t n, struct buf *out);

/* ---- the raw wire (fixture_wire.c) ---- */

/* fx_tcp() - a TCP connection to the server (blocking, 10 s timeouts). */
int fx_tcp(const struct fx_server *s);
/* fx_http() - sends req as-is and reads one response (head and a body
 * of Content-Length bytes) into out.  Returns 0, or -1 on EOF/timeout
 * before a full response (out keeps what came). */
int fx_http(int fd, const char *req, struct buf *out);
/* fx_http_once() - connect, one request, close. */
int fx_http_once(const struct fx_server *s, const char *req, struct buf *out);
/* fx_request() - "METHOD path HTTP/1.1", Host 127.0.0.1:port, the header
 * lines (each ending in \r\n; may be NULL) and, when body is not NULL,
 * Content-Length and the body; the whole response into resp.  0 or -1. */
int fx_request(const struct fx_server *s, const char *method, const char *path, const char *headers,
	       const char *body, struct buf *resp);
/* fx_get() - fx_request() of GET path; the body only. */
int fx_get(const struct fx_server *s, const char *path, struct buf *body);
/* fx_body() - the body part of a raw HTTP response. */
const char *fx_body(const struct buf *resp);

/* fx_ws_open() - opens a WebSocket on path with extra header lines
 * (each ending in \r\n, may be NULL).  Returns the fd, or -1; *resp gets
 * the handshake response when not NULL. */
int fx_ws_open(const struct fx_server *s, const char *path, const char *extra, struct buf *resp);
/* fx_ws_frame() - one frame, with the given FIN, RSV bits, opcode and
 * masking; fx_ws_text() - one masked text frame. */
int fx_ws_frame(int fd, int fin, int rsv, int opcode, int masked, const void *p, size_t n);
int fx_ws_text(int fd, const char *text);
/* fx_ws_read() - reads one whole frame: opcode, rsv bits and payload.
 * Returns 0, or -1 on EOF / timeout (timeout_ms). */
int fx_ws_read(int fd, int timeout_ms, int *opcode, int *rsv, struct buf *payload);
/* fx_ws_next_text() - the next text frame's payload (skipping nothing:
 * any other opcode is a failure). */
int fx_ws_next_text(int fd, int timeout_ms, struct buf *payload);
/* fx_ws_call() - sends text, then returns the next text frame. */
int fx_ws_call(int fd, const char *text, struct buf *reply);
/* fx_eof() - 1 if the peer closes the TCP connection within timeout. */
int fx_eof(int fd, int timeout_ms);

#endif
