/* conn.h - one client connection: its transport (HTTP, WebSocket or pipe),
 * the bytes received and not yet used, and the outbox of frames waiting for
 * the socket to become writable.  It owns backpressure: nothing is written
 * until the peer can take it, and producers are pulled only when the outbox
 * runs low.  CDP semantics live in router.c and the domains. */
#ifndef CDPM_CONN_H
#define CDPM_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "net/loop.h"
#include "net/ws.h"

struct lws;
struct session;
struct target;

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
struct script_conn;

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
	struct lws *wsi;          /* the socket, or the pipe's read side */
	struct lws *out_wsi;      /* the pipe's write side; == wsi for sockets */
	int out_fd;
	struct buf in;            /* received bytes not yet consumed */
	struct conn_msg *head, *tail;
	size_t queued;            /* bytes in the outbox */
	int close_after_flush;    /* close the socket once the outbox drains */
	int rx_paused;
	int gone;                 /* the socket is closed; drop every send */
	struct ws ws;
	struct conn_producer *producer;
	struct session *sessions; /* root session first */
	struct target *page;      /* set for /devtools/page/<id> sockets */
	struct conn *next;        /* in the list of live connections */
	/* scenario support */
	struct script_conn *script; /* rules' per-connection state (script.c) */
	size_t held;              /* bytes the script holds back (count as queued) */
	uint64_t rx_bytes;        /* bytes received since the WebSocket opened */
	uint64_t rx_messages;     /* messages received (valid or not) */
	int64_t throttle_bps;     /* 0: unlimited */
	double tokens;            /* throttle budget in bytes */
	int64_t tokens_at;        /* clock_now_us() of the last refill */
	int write_paused;         /* waiting for wtimer (throttle or split gap) */
	struct loop_timer wtimer;
};

/* conn_new() - a connection for an accepted socket (kind HTTP) or a pipe. */
struct conn *conn_new(enum conn_kind kind, struct lws *wsi);
/* conn_free() - releases the connection and everything it queued; detaches
 * its sessions (closing their streams and traces).  NULL is fine. */
void conn_free(struct conn *c);

/* conn_on_rx() - bytes arrived; parses and dispatches them.  Returns 0, or
 * a negative value when the transport must be dropped at once. */
int conn_on_rx(struct conn *c, const void *data, size_t len);
/* conn_on_writable() - writes queued frames; returns -1 to close. */
int conn_on_writable(struct conn *c);

/* conn_msg_begin() - prepares b to build one message (reserves headroom). */
int conn_msg_begin(struct buf *b);
/* conn_send() - queues the message built in b (from conn_msg_begin) as one
 * text frame and takes its storage; b is left empty.  The scenario's rules
 * for outgoing messages see it first (script_out) and may change, hold,
 * split or drop it; then the journal sees it.  session_id names the
 * session for the journal ("" or NULL for none). */
int conn_send(struct conn *c, struct buf *b, const char *session_id);
/* conn_send_now() - conn_send() without the scenario's rules, with wire
 * options (w may be NULL): for script.c, which already applied them. */
int conn_send_now(struct conn *c, struct buf *b, const char *session_id,
		  const struct conn_wire *w);
/* conn_send_lazy() - queues one text message of l->size bytes produced by l
 * as it is written (taken, freed by conn.c, also on failure).  head (the
 * first bytes, up to 256 of them) is what the journal records.  It is
 * sent uncompressed even when permessage-deflate is on (RFC 7692 allows
 * it per message).  Bypasses the scenario's rules. */
int conn_send_lazy(struct conn *c, struct conn_lazy *l, const char *head, size_t head_len,
		   const char *session_id);
/* conn_send_text() - copies text into a new message and queues it. */
int conn_send_text(struct conn *c, const char *text, size_t len, const char *session_id);
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

/* The list of live connections (for the admin API and shutdown). */
struct conn *conn_list(void);

#endif
