/* conn.h - one client connection: its transport (HTTP, WebSocket or pipe),
 * the bytes received and not yet used, and the outbox of frames waiting for
 * the socket to become writable.  It owns backpressure: nothing is written
 * until the peer can take it, and producers are pulled only when the outbox
 * runs low.  It never names the layers above: whole messages go up
 * through the conn_hooks the connection was made with, and every outgoing
 * message passes the one conn_tap the script layer installs.  CDP
 * semantics live in cdp/ and the domains. */
#ifndef CDPM_CONN_H
#define CDPM_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "net/loop.h"
#include "net/ws.h"

struct loop_ep;
struct session;
struct target;
struct conn;
struct http_req;

/* Every outgoing message is built in a buf that starts with CONN_HEADROOM
 * spare bytes, so the frame header can be written in front of the payload
 * without copying (the LWS_PRE idea). */
#define CONN_HEADROOM 16

/* One writable callback writes at most about this much, then lets the loop
 * read (commands interleave with a big trace, as in Chrome). */
#define CONN_WRITE_SLICE ((size_t)1024 * 1024)

/* When the outbox holds less than this, producers are asked for more. */
#define CONN_LOW_WATER ((size_t)512 * 1024)
/* Above this many queued bytes we stop reading from the client, so a client
 * that sends and never reads cannot make us buffer without limit. */
#define CONN_HIGH_WATER ((size_t)64 * 1024 * 1024)

enum conn_kind { CONN_HTTP, CONN_WS, CONN_PIPE };

/* A source of messages written only as fast as the peer reads (trace data).
 * pull() appends messages with conn_send() and returns 1 while it has more,
 * 0 when it is finished (it is then detached), or a negative error. */
struct conn_producer {
	int (*pull)(struct conn_producer *p, struct conn *c);
};

struct conn_msg;
struct line_conn;

/* What the layer above does with a connection: one set, given when the
 * connection is made (conn_listen, conn_adopt_pipe), never changed.  Every
 * hook may be NULL.  Hooks run from the loop's callbacks; a hook may send,
 * close (conn_close_after_flush, conn_drop) or free other connections, but
 * not free c itself. */
struct conn_hooks {
	/* An HTTP request that passed the Host check and is not an upgrade:
	 * answer it with http_respond().  0, or negative to drop the socket. */
	int (*request)(struct conn *c, const struct http_req *r);
	/* A WebSocket upgrade that passed the Origin check: 0 accepts its path
	 * (the hook notes on c what the path names), 1 means the hook already
	 * answered with an error, negative drops the socket. */
	int (*upgrade)(struct conn *c, const struct http_req *r);
	/* The largest body r may carry (NULL: none beyond HTTP_MAX_HEAD). */
	size_t (*body_cap)(const struct http_req *r);
	/* c speaks CDP now (the WebSocket opened, or the pipe was adopted). */
	int (*open)(struct conn *c);
	/* One complete text message from the peer (WebSocket or pipe). */
	void (*message)(struct conn *c, const char *text, size_t len);
	/* c is being freed: release what the layers above hung on it. */
	void (*close)(struct conn *c);
};

/* The filter every outgoing message passes (installed by the script layer
 * with conn_set_tap; NULL members are skipped). */
struct conn_tap {
	/* A message about to be framed: take b and return 0 (or an error), or
	 * return CONN_PASS to let conn_send() frame it untouched. */
	int (*out)(struct conn *c, struct buf *b, const char *session_id, const char *method);
	/* The next count of received bytes at which the layer above wants to
	 * hear about it (0: none), and the call when it is reached. */
	uint64_t (*next_byte)(struct conn *c);
	void (*on_byte)(struct conn *c);
	/* c is being freed (runs before conn_hooks.close). */
	void (*gone)(struct conn *c);
};

/* conn_tap.out returns this when conn_send() should frame b itself. */
#define CONN_PASS 1

/* A message generated on demand while it is written (a scenario's 255 MiB
 * frame): memory stays at one window per connection however big it is.
 * fill() writes the next n bytes of the payload into dst; free() releases
 * the source (both called by conn.c only). */
struct conn_lazy {
	uint64_t size;     /* payload bytes in all */
	void (*fill)(struct conn_lazy *l, uint64_t pos, char *dst, size_t n);
	void (*free)(struct conn_lazy *l);
};

/* How the bytes of one message go on the wire (scenario faults). */
struct conn_wire {
	const size_t *sizes;  /* split into TCP writes of these sizes (the last repeats) */
	size_t n_sizes;
	size_t chunk;         /* or of this size; 0 and no sizes: not split */
	int64_t gap_us;       /* pause between the pieces */
	int binary;           /* a binary frame instead of text */
};

struct conn {
	unsigned id;              /* 1, 2, ... in accept order (journal) */
	enum conn_kind kind;
	struct loop_ep *ep;       /* the socket, or the pipe's read side */
	struct loop_ep *out_ep;   /* the pipe's write side; == ep for sockets */
	int out_fd;
	struct buf in;            /* received bytes not yet consumed */
	struct conn_msg *head, *tail;
	size_t queued;            /* bytes in the outbox */
	size_t queued_mem;        /* memory the outbox holds (--max-outbox) */
	int close_after_flush;    /* close the socket once the outbox drains */
	int rx_paused;
	int gone;                 /* the socket is closed; drop every send */
	struct ws ws;
	struct conn_producer *producer;
	struct session *sessions; /* root session first */
	struct target *page;      /* set for /devtools/page/<id> sockets */
	struct conn *next;        /* in the list of live connections */
	const struct conn_hooks *hooks;
	const struct conn_tap *tap;
	/* Owned by the layers above; net/ never looks inside. */
	struct line_conn *script;   /* rules' per-connection state (script/line.h) */
	size_t held;              /* bytes the script holds back (count as queued) */
	uint64_t rx_bytes;        /* bytes received since the WebSocket opened */
	uint64_t rx_messages;     /* messages received (valid or not) */
	int64_t throttle_bps;     /* 0: unlimited */
	double tokens;            /* throttle budget in bytes */
	int64_t tokens_at;        /* clock_now_us() of the last refill */
	int write_paused;         /* waiting for wtimer (throttle or split gap) */
	struct loop_timer wtimer;
	struct loop_timer htimer; /* HTTP header or idle deadline (http.c) */
	int http_idle;            /* htimer is the idle deadline */
};

/* conn_new() - a connection for an accepted socket (kind HTTP) or a pipe,
 * served by hooks (borrowed: they must outlive it; NULL: none). */
struct conn *conn_new(enum conn_kind kind, struct loop_ep *ep, const struct conn_hooks *hooks);
/* conn_listen() - listens on addr:port (port 0: the kernel picks) and
 * reports the bound port; every accepted socket is a connection served by
 * hooks (borrowed, for the loop's life).  0 or CDPM_EIO (errno set). */
int conn_listen(const char *addr, int port, const struct conn_hooks *hooks, int *bound_port);
/* conn_adopt_pipe() - a connection for CDP over in_fd/out_fd
 * (--remote-debugging-pipe), served by hooks; *out gets it.  The caller
 * opens it (conn_opened) once it is ready.  0 or CDPM_E*. */
int conn_adopt_pipe(int in_fd, int out_fd, const struct conn_hooks *hooks, struct conn **out);
/* conn_free() - releases the connection and everything it queued, after
 * the tap's gone and the hooks' close (which detach its sessions).  NULL is
 * fine. */
void conn_free(struct conn *c);
/* conn_set_tap() - installs the outgoing filter (NULL: none). */
void conn_set_tap(struct conn *c, const struct conn_tap *tap);
/* A receive buffer keeps at most this much storage between messages; a
 * bigger one (after a big message) is released once it is empty. */
#define CONN_RX_KEEP ((size_t)64 * 1024)
/* conn_rx_release() - frees b's storage if b is empty and holds more than
 * CONN_RX_KEEP (noted in the journal past 1 MiB); for ws.c, http.c and the
 * pipe, after a message is consumed. */
void conn_rx_release(struct conn *c, struct buf *b);
/* conn_deliver() - hands one complete received message up (hooks.message);
 * for ws.c and the pipe. */
void conn_deliver(struct conn *c, const char *text, size_t len);
/* conn_opened() - the transport is ready for CDP (hooks.open). */
int conn_opened(struct conn *c);

/* conn_on_rx() - bytes arrived; parses and dispatches them.  Returns 0, or
 * a negative value when the transport must be dropped at once. */
int conn_on_rx(struct conn *c, const void *data, size_t len);
/* conn_on_writable() - writes queued frames; returns -1 to close. */
int conn_on_writable(struct conn *c);

/* conn_msg_begin() - prepares b to build one message (reserves headroom). */
int conn_msg_begin(struct buf *b);
/* conn_send() - queues the message built in b (from conn_msg_begin) as one
 * text frame and takes its storage; b is left empty.  The tap sees it
 * first and may change, hold, split or drop it; then the journal sees it.
 * session_id names the session ("" or NULL for none) and method the event,
 * or the command a reply answers (NULL when unknown), for the journal. */
int conn_send(struct conn *c, struct buf *b, const char *session_id, const char *method);
/* conn_send_now() - conn_send() past the tap, with wire options (w may be
 * NULL): for the tap itself, which already applied its rules. */
int conn_send_now(struct conn *c, struct buf *b, const char *session_id, const char *method,
		  const struct conn_wire *w);
/* conn_send_lazy() - queues one text message of l->size bytes produced by l
 * as it is written (taken, freed by conn.c, also on failure).  head (the
 * first bytes, up to 256 of them) is what the journal records.  It is
 * sent uncompressed even when permessage-deflate is on (RFC 7692 allows
 * it per message).  Bypasses the scenario's rules. */
int conn_send_lazy(struct conn *c, struct conn_lazy *l, const char *head, size_t head_len,
		   const char *session_id);
/* conn_send_bytes() - queues raw bytes with no framing (HTTP responses,
 * scenario raw writes). */
int conn_send_bytes(struct conn *c, const void *p, size_t len);
/* conn_send_frame() - queues one WebSocket frame with the given opcode and
 * payload, unmasked, FIN set. */
int conn_send_frame(struct conn *c, int opcode, const void *p, size_t len);
/* conn_send_frame_ex() - any frame, valid or not: fin, the RSV bits (0-7)
 * and a mask (a protocol violation from a server) as given. */
int conn_send_frame_ex(struct conn *c, int opcode, int fin, int rsv, int masked, const void *p,
		       size_t len);
/* conn_close_code() - sends a close frame with code (0: no payload) and
 * reason, then closes once the outbox drains. */
int conn_close_code(struct conn *c, int code, const char *reason);
/* conn_set_throttle() - limits writes to bytes_per_sec (0: unlimited). */
void conn_set_throttle(struct conn *c, int64_t bytes_per_sec);

/* conn_close_after_flush() - close the TCP connection once queued bytes are
 * written (after a close frame, or an HTTP/1.0 request). */
void conn_close_after_flush(struct conn *c);
/* conn_drop() - close the TCP connection now, discarding the outbox. With
 * reset set, send RST instead of FIN. */
void conn_drop(struct conn *c, int reset);

/* conn_held() - the script holds delta more (or fewer) bytes back; they
 * count towards the outbox limits so producers and reading pause. */
void conn_held(struct conn *c, long long delta);

/* conn_set_producer() - attaches p (one at a time); NULL detaches. */
void conn_set_producer(struct conn *c, struct conn_producer *p);

/* conn_id() - c's number for the journal, 0 for none. */
static inline unsigned conn_id(const struct conn *c)
{
	return c ? c->id : 0;
}

/* The list of live connections (for the admin API and shutdown). */
struct conn *conn_list(void);

#endif
