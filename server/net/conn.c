/* conn.c - per-connection input dispatch and the outbox (see conn.h).
 * Every message goes to the outbox first; the loop flushes it at the end of
 * the iteration that queued it (loop.h), so one writev() carries the frames
 * a burst of requests produced, and trace producers run only when the peer
 * has drained what we sent. */
#include "net/conn.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cdpm.h"
#include "clock.h"
#include "net/http.h"
#include "journal.h"
#include "net/loop.h"
#include "server.h"

/* Bytes of a lazy message materialised at a time. */
#define CONN_LAZY_WINDOW ((size_t)256 * 1024)

struct conn_msg {
	struct conn_msg *next;
	char *base;  /* owned */
	size_t off;  /* next byte to write */
	size_t end;
	int boundary;           /* written on its own; then the line pauses gap_us */
	int64_t gap_us;
	struct conn_lazy *lazy; /* base is a window refilled from lazy */
	uint64_t lazy_pos;      /* payload bytes produced so far */
	int lazy_nul;           /* pipe: a NUL follows the payload */
	size_t mem;             /* what it really holds: base's block and this */
};

static struct conn *conn_all;

struct conn *conn_list(void)
{
	return conn_all;
}

/* The WebSocket codec's view of a connection (ws.h). */
static int conn_ws_send_frame(void *ctx, int opcode, const void *p, size_t n)
{
	return conn_send_frame(ctx, opcode, p, n);
}

static void conn_ws_close(void *ctx)
{
	conn_close_after_flush(ctx);
}

static void conn_ws_deliver(void *ctx, const char *text, size_t len)
{
	conn_deliver(ctx, text, len);
}

static void conn_ws_release(void *ctx, struct buf *b)
{
	conn_rx_release(ctx, b);
}

static int conn_ws_stopped(void *ctx)
{
	const struct conn *c = ctx;
	return c->close_after_flush || c->gone;
}

static const struct ws_ops conn_ws_ops = {
	.send_frame = conn_ws_send_frame,
	.close = conn_ws_close,
	.deliver = conn_ws_deliver,
	.release = conn_ws_release,
	.stopped = conn_ws_stopped,
};

struct conn *conn_new(enum conn_kind kind, struct loop_ep *ep, const struct conn_hooks *hooks)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = server.next_conn_id++;
	c->kind = kind;
	c->ep = c->out_ep = ep;
	c->hooks = hooks;
	c->out_fd = ep ? loop_fd(ep) : -1;
	buf_init(&c->in, server.opts.max_message + 65536);
	ws_init(&c->ws, server.opts.max_message, &conn_ws_ops, c);
	c->next = conn_all;
	conn_all = c;
	if (kind == CONN_HTTP)
		http_watch(c, 0);
	return c;
}

/* The loop's view of a connection (loop.h): accepted sockets and the pipe
 * become connections here, so that the loop knows none. */
static void *conn_loop_open(const void *arg, struct loop_ep *in, struct loop_ep *out, int out_fd)
{
	struct conn *c = conn_new(out_fd < 0 ? CONN_HTTP : CONN_PIPE, in, arg);
	if (c && out_fd >= 0) {
		c->out_ep = out;
		c->out_fd = out_fd;
	}
	return c;
}

static int conn_loop_rx(void *user, const void *data, size_t len)
{
	return conn_on_rx(user, data, len);
}

static int conn_loop_writable(void *user)
{
	return conn_on_writable(user);
}

static void conn_loop_closed(void *user)
{
	conn_free(user);
}

static const struct loop_io conn_loop_io = {
	.open = conn_loop_open,
	.rx = conn_loop_rx,
	.writable = conn_loop_writable,
	.closed = conn_loop_closed,
};

int conn_listen(const char *addr, int port, const struct conn_hooks *hooks, int *bound_port)
{
	return loop_listen(addr, port, &conn_loop_io, hooks, bound_port);
}

int conn_adopt_pipe(int in_fd, int out_fd, const struct conn_hooks *hooks, struct conn **out)
{
	void *u = NULL;
	int rc = loop_adopt_pipe(in_fd, out_fd, &conn_loop_io, hooks, &u);
	*out = u;
	return rc;
}

static void conn_msg_free(struct conn_msg *m)
{
	if (m->lazy && m->lazy->free)
		m->lazy->free(m->lazy);
	free(m->base);
	free(m);
}

static void conn_outbox_clear(struct conn *c)
{
	struct conn_msg *m = c->head, *n;
	for (; m; m = n) {
		n = m->next;
		conn_msg_free(m);
	}
	c->head = c->tail = NULL;
	c->queued = 0;
	c->queued_mem = 0;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	c->gone = 1;
	if (c->kind == CONN_WS || c->kind == CONN_PIPE)
		journal_conn_end(conn_id(c), c->kind == CONN_WS ? "WebSocket" : "pipe");
	if (c->tap && c->tap->gone)
		c->tap->gone(c);
	loop_timer_cancel(&c->wtimer);
	loop_timer_cancel(&c->htimer);
	if (c->hooks && c->hooks->close)
		c->hooks->close(c);
	c->producer = NULL;
	conn_outbox_clear(c);
	ws_clear(&c->ws);
	buf_clear(&c->in);
	for (struct conn **pp = &conn_all; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	free(c);
	/* The last client is gone: hand the heap a load left behind back to
	 * the system, so that an idle server is as small as a fresh one. */
	if (!conn_all)
		malloc_trim(0);
}

void conn_set_tap(struct conn *c, const struct conn_tap *tap)
{
	c->tap = tap;
}

void conn_rx_release(struct conn *c, struct buf *b)
{
	if (b->len || b->alloc <= CONN_RX_KEEP)
		return;
	size_t big = b->alloc > (size_t)1 << 20 ? b->alloc : 0;
	buf_clear(b);
	if (!big)
		return;
	/* Parsing a big message leaves free heap behind too (glibc keeps
	 * blocks under its raised mmap threshold): hand it back. */
	malloc_trim(0);
	journal_note(conn_id(c), "released a %zu-byte receive buffer", big);
}

void conn_deliver(struct conn *c, const char *text, size_t len)
{
	if (c->hooks && c->hooks->message)
		c->hooks->message(c, text, len);
}

int conn_opened(struct conn *c)
{
	return c->hooks && c->hooks->open ? c->hooks->open(c) : 0;
}

int conn_msg_begin(struct buf *b)
{
	buf_init(b, 0);
	int rc = buf_reserve(b, CONN_HEADROOM + 240);
	if (rc)
		return rc;
	memset(b->data, 0, CONN_HEADROOM);
	b->len = CONN_HEADROOM;
	return 0;
}

/* The outbox limit (--max-outbox) counts real memory: every message's
 * block as malloc sized it, plus its bookkeeping, so a flood of small
 * events costs what it really costs.  Past it the client is not reading:
 * the connection is dropped, which is noted.  0 when it still fits. */
static int conn_outbox_full(struct conn *c, size_t more)
{
	size_t max = server.opts.max_outbox;
	if (!max || c->queued_mem + c->held + more <= max)
		return 0;
	journal_note(conn_id(c), "outbox over %zu bytes (--max-outbox): %zu queued and the "
				 "client is not reading; dropping the connection",
		     max, c->queued_mem + c->held);
	conn_drop(c, 0);
	return 1;
}

static struct conn_msg *conn_enqueue_msg(struct conn *c, char *base, size_t off, size_t end)
{
	size_t mem = malloc_usable_size(base) + sizeof(struct conn_msg) + 32;
	struct conn_msg *m = conn_outbox_full(c, mem) ? NULL : calloc(1, sizeof(*m));
	if (!m) {
		free(base);
		return NULL;
	}
	m->base = base;
	m->off = off;
	m->end = end;
	m->mem = mem;
	if (c->tail)
		c->tail->next = m;
	else
		c->head = m;
	c->tail = m;
	c->queued += end - off;
	c->queued_mem += mem;
	loop_want_write(c->out_ep);
	if (c->queued_mem + c->held > CONN_HIGH_WATER && !c->rx_paused && c->ep) {
		c->rx_paused = 1;
		loop_rx_pause(c->ep, 1);
	}
	return m;
}

static int conn_enqueue(struct conn *c, char *base, size_t off, size_t end)
{
	if (conn_enqueue_msg(c, base, off, end))
		return 0;
	return c->gone ? CDPM_ECLOSED : CDPM_ENOMEM;
}

/* Queues base[off, end) as pieces of the sizes w asks for, each written on
 * its own with w->gap_us between them. */
static int conn_enqueue_split(struct conn *c, char *base, size_t off, size_t end,
			      const struct conn_wire *w)
{
	size_t i = 0;
	int rc = 0;
	while (off < end && !rc) {
		size_t n = w->n_sizes ? w->sizes[i < w->n_sizes ? i : w->n_sizes - 1] : w->chunk;
		i++;
		if (n > end - off)
			n = end - off;
		char *piece = malloc(n ? n : 1);
		struct conn_msg *m = NULL;
		if (piece) {
			memcpy(piece, base + off, n);
			m = conn_enqueue_msg(c, piece, 0, n);
		}
		if (!m) {
			rc = CDPM_ENOMEM;
			break;
		}
		m->boundary = 1;
		m->gap_us = off + n < end ? w->gap_us : 0;
		off += n;
	}
	free(base);
	return rc;
}

int conn_send_now(struct conn *c, struct buf *b, const char *session_id, const char *method,
		  const struct conn_wire *w)
{
	int rc = 0;
	size_t off = CONN_HEADROOM;
	if (c->gone || c->close_after_flush) {
		buf_clear(b);
		return CDPM_ECLOSED;
	}
	journal_out(conn_id(c), b->data + CONN_HEADROOM, b->len - CONN_HEADROOM, session_id, method);
	if (c->kind == CONN_WS) {
		int rsv1 = c->ws.deflate;
		if (rsv1 && (rc = ws_compress(&c->ws, b, CONN_HEADROOM)))
			goto fail;
		off -= ws_frame_header((unsigned char *)b->data + CONN_HEADROOM,
				       w && w->binary ? WS_OP_BINARY : WS_OP_TEXT, rsv1,
				       b->len - CONN_HEADROOM);
	} else if (c->kind == CONN_PIPE) {
		/* --remote-debugging-pipe: every message ends with a NUL byte. */
		if ((rc = buf_addc(b, '\0')))
			goto fail;
	}
	size_t end = b->len;
	int split = w && (w->n_sizes || w->chunk);
	/* A message built by doubling may hold twice its size: give the
	 * slack back before it waits in the outbox. */
	if (b->alloc - b->len > b->len / 2 + 4096) {
		char *p = realloc(b->data, b->len + 1);
		if (p) {
			b->data = p;
			b->alloc = b->len + 1;
		}
	}
	if (split)
		return conn_enqueue_split(c, buf_take(b, NULL), off, end, w);
	return conn_enqueue(c, buf_take(b, NULL), off, end);
fail:
	buf_clear(b);
	return rc;
}

int conn_send(struct conn *c, struct buf *b, const char *session_id, const char *method)
{
	/* A message whose building failed somewhere is never sent half-built. */
	int rc = buf_finish(b);
	if (rc || c->gone || c->close_after_flush) {
		buf_clear(b);
		return rc ? rc : CDPM_ECLOSED;
	}
	if (c->tap && c->tap->out) {
		rc = c->tap->out(c, b, session_id, method);
		if (rc != CONN_PASS)
			return rc;
	}
	return conn_send_now(c, b, session_id, method, NULL);
}

int conn_send_lazy(struct conn *c, struct conn_lazy *l, const char *head, size_t head_len,
		   const char *session_id)
{
	if (c->gone || c->close_after_flush) {
		if (l->free)
			l->free(l);
		return CDPM_ECLOSED;
	}
	journal_out_big(conn_id(c), head, head_len, l->size, session_id);
	char *win = malloc(CONN_LAZY_WINDOW + 16);
	size_t hdr = 0;
	if (win && c->kind == CONN_WS) {
		unsigned char h[10];
		hdr = ws_frame_header(h + 10, WS_OP_TEXT, 0, l->size);
		memcpy(win, h + 10 - hdr, hdr);
	}
	struct conn_msg *m = win ? conn_enqueue_msg(c, win, 0, hdr) : NULL;
	if (!m) {
		if (l->free)
			l->free(l);
		return CDPM_ENOMEM;
	}
	m->lazy = l;
	m->lazy_nul = c->kind == CONN_PIPE;
	return 0;
}

/* Refills a lazy message's window once it was written; 1 if there is more. */
static int conn_lazy_refill(struct conn_msg *m)
{
	struct conn_lazy *l = m->lazy;
	if (m->lazy_pos == l->size && !m->lazy_nul)
		return 0;
	size_t n = 0;
	if (m->lazy_pos < l->size) {
		uint64_t left = l->size - m->lazy_pos;
		n = left < CONN_LAZY_WINDOW ? (size_t)left : CONN_LAZY_WINDOW;
		l->fill(l, m->lazy_pos, m->base, n);
		m->lazy_pos += n;
	}
	if (m->lazy_pos == l->size && m->lazy_nul) {
		m->base[n++] = '\0';
		m->lazy_nul = 0;
	}
	m->off = 0;
	m->end = n;
	return 1;
}

int conn_send_bytes(struct conn *c, const void *p, size_t len)
{
	if (c->gone || c->close_after_flush)
		return CDPM_ECLOSED;
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return CDPM_ENOMEM;
	memcpy(copy, p, len);
	return conn_enqueue(c, copy, 0, len);
}

int conn_send_frame(struct conn *c, int opcode, const void *p, size_t len)
{
	return conn_send_frame_ex(c, opcode, 1, 0, 0, p, len);
}

int conn_send_frame_ex(struct conn *c, int opcode, int fin, int rsv, int masked, const void *p,
		       size_t len)
{
	/* A fixed masking key: a masked server frame is a fault on purpose. */
	static const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
	struct buf b;
	int rc = conn_msg_begin(&b);
	if (!rc && masked)
		rc = buf_add(&b, key, 4);
	if (!rc)
		rc = buf_add(&b, p, len);
	if (rc || c->gone || c->close_after_flush) {
		buf_clear(&b);
		return rc ? rc : CDPM_ECLOSED;
	}
	unsigned char *at = (unsigned char *)b.data + CONN_HEADROOM;
	for (size_t i = 0; masked && i < len; i++)
		at[4 + i] ^= key[i & 3];
	size_t h = ws_frame_header(at, opcode, 0, len);
	at[-(long)h] = (unsigned char)((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0x0F));
	if (masked)
		at[-(long)h + 1] |= 0x80;
	size_t end = b.len;
	return conn_enqueue(c, buf_take(&b, NULL), CONN_HEADROOM - h, end);
}

int conn_close_code(struct conn *c, int code, const char *reason)
{
	unsigned char p[2 + 123];
	size_t n = 0;
	if (c->kind != CONN_WS) {
		conn_close_after_flush(c);
		return 0;
	}
	if (code) {
		size_t rl = reason ? strlen(reason) : 0;
		if (rl > 123)
			rl = 123;
		p[0] = (unsigned char)(code >> 8);
		p[1] = (unsigned char)code;
		memcpy(p + 2, reason ? reason : "", rl);
		n = 2 + rl;
	}
	int rc = conn_send_frame(c, WS_OP_CLOSE, p, n);
	c->ws.close_sent = 1;
	conn_close_after_flush(c);
	return rc;
}

static void conn_wtimer_fired(struct loop_timer *t)
{
	struct conn *c = container_of(t, struct conn, wtimer);
	c->write_paused = 0;
	loop_want_write(c->out_ep);
}

static void conn_pause_writes(struct conn *c, int64_t us)
{
	c->write_paused = 1;
	loop_timer_arm(&c->wtimer, us, conn_wtimer_fired);
}

void conn_set_throttle(struct conn *c, int64_t bytes_per_sec)
{
	if (bytes_per_sec < 0)
		bytes_per_sec = 0;
	if (bytes_per_sec == c->throttle_bps)
		return;
	c->throttle_bps = bytes_per_sec;
	c->tokens = 0;
	c->tokens_at = clock_now_us();
	loop_want_write(c->out_ep);
}

/* Bytes the throttle lets through now (SIZE_MAX when unthrottled).  The
 * bucket holds at most 50 ms worth, so a throttled line stays smooth. */
static size_t conn_budget(struct conn *c)
{
	if (!c->throttle_bps)
		return SIZE_MAX;
	int64_t now = clock_now_us();
	double burst = (double)c->throttle_bps / 20;
	if (burst < 1)
		burst = 1;
	c->tokens += (double)(now - c->tokens_at) * (double)c->throttle_bps / 1e6;
	c->tokens_at = now;
	if (c->tokens > burst)
		c->tokens = burst;
	return c->tokens >= 1 ? (size_t)c->tokens : 0;
}

void conn_held(struct conn *c, long long delta)
{
	if (delta < 0 && (size_t)-delta > c->held)
		c->held = 0;
	else
		c->held = (size_t)((long long)c->held + delta);
}

void conn_close_after_flush(struct conn *c)
{
	c->close_after_flush = 1;
	loop_want_write(c->out_ep);
}

void conn_drop(struct conn *c, int reset)
{
	if (c->gone)
		return;
	if (reset && c->kind != CONN_PIPE) {
		struct linger lg = {1, 0};
		setsockopt(c->out_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	c->gone = 1;
	conn_outbox_clear(c);
	loop_timer_cancel(&c->wtimer);
	loop_timer_cancel(&c->htimer);
	loop_kill(c->ep);
}

void conn_set_producer(struct conn *c, struct conn_producer *p)
{
	c->producer = p;
	if (p)
		loop_want_write(c->out_ep);
}

/* Asks the producer for more while the outbox is low. */
static int conn_pull(struct conn *c)
{
	while (c->producer && c->queued + c->held < CONN_LOW_WATER && !c->gone) {
		struct conn_producer *p = c->producer;
		if (c->close_after_flush) {
			/* Closing (a scenario closed mid-stream): what is queued
			 * still goes out; nothing more is produced. */
			c->producer = NULL;
			break;
		}
		int rc = p->pull(p, c);
		if (rc <= 0 && c->producer == p)
			c->producer = NULL;
		if (rc < 0 && !c->close_after_flush)
			return rc;
	}
	return 0;
}

/* Fills iov with what may go out in one writev: a boundary piece goes
 * alone, a lazy window ends the batch, the throttle caps the total. */
static int conn_gather(struct conn *c, struct iovec *iov, int max, size_t budget)
{
	int n = 0;
	size_t total = 0;
	for (struct conn_msg *m = c->head; m && n < max && total < budget; m = m->next) {
		if (m->boundary && n)
			break;
		size_t len = m->end - m->off;
		if (len > budget - total)
			len = budget - total;
		iov[n].iov_base = m->base + m->off;
		iov[n++].iov_len = len;
		total += len;
		if (m->boundary || m->lazy)
			break;
	}
	return n;
}

/* Drops what writev took from the head of the outbox.  Returns 1 when the
 * line must pause (a split gap), else 0. */
static int conn_consume(struct conn *c, size_t left)
{
	while (c->head && left >= c->head->end - c->head->off) {
		struct conn_msg *m = c->head;
		left -= m->end - m->off;
		c->queued -= m->end - m->off;
		m->off = m->end;
		if (m->lazy && conn_lazy_refill(m)) {
			c->queued += m->end;
			continue;
		}
		c->head = m->next;
		if (!c->head)
			c->tail = NULL;
		int64_t gap = m->boundary ? m->gap_us : 0;
		c->queued_mem -= m->mem;
		conn_msg_free(m);
		if (gap > 0) {
			conn_pause_writes(c, gap);
			return 1;
		}
	}
	if (c->head) {
		c->head->off += left;
		c->queued -= left;
	}
	return 0;
}

int conn_on_writable(struct conn *c)
{
	if (c->gone)
		return -1;
	if (c->write_paused)
		return 0;
	/* At most a slice per callback: a fast reader must not keep us in this
	 * loop for a whole trace while its commands wait to be read. */
	size_t written = 0;
	for (; written < CONN_WRITE_SLICE;) {
		if (conn_pull(c))
			return -1;
		if (!c->head)
			break;
		size_t budget = conn_budget(c);
		if (!budget) {
			/* Wait until a burst's worth (or what is queued) has accrued. */
			double need = (double)c->throttle_bps / 20;
			if (need > (double)c->queued)
				need = (double)c->queued;
			if (need < 1)
				need = 1;
			conn_pause_writes(c, (int64_t)(need * 1e6 / (double)c->throttle_bps) + 1);
			return 0;
		}
		struct iovec iov[64];
		int n = conn_gather(c, iov, 64, budget);
		size_t asked = 0;
		for (int i = 0; i < n; i++)
			asked += iov[i].iov_len;
		ssize_t w = writev(c->out_fd, iov, n);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (w < 0)
			return -1; /* the peer is gone; RAW_CLOSE frees us */
		written += (size_t)w;
		if (c->throttle_bps)
			c->tokens -= (double)w;
		if (conn_consume(c, (size_t)w))
			return 0;
		if ((size_t)w < asked && budget == SIZE_MAX)
			break; /* short write: the socket is full */
	}
	if (c->rx_paused && c->queued_mem + c->held < CONN_HIGH_WATER / 2) {
		c->rx_paused = 0;
		loop_rx_pause(c->ep, 0);
	}
	if (c->head || c->producer)
		loop_want_write(c->out_ep);
	else if (c->close_after_flush)
		return -1;
	return 0;
}

/* --remote-debugging-pipe: messages are separated by NUL bytes. */
static int conn_pipe_feed(struct conn *c, const unsigned char *up, size_t n)
{
	const char *p = (const char *)up;
	int rc = buf_add(&c->in, p, n);
	if (rc) {
		journal_note(conn_id(c), "pipe message over the %zu-byte cap; closing", c->in.cap);
		return rc;
	}
	size_t start = 0;
	for (size_t i = 0; i < c->in.len; i++) {
		if (c->in.data[i] != '\0')
			continue;
		conn_deliver(c, c->in.data + start, i - start);
		start = i + 1;
	}
	if (start) {
		memmove(c->in.data, c->in.data + start, c->in.len - start);
		c->in.len -= start;
		conn_rx_release(c, &c->in);
	}
	return 0;
}

/* Feeds received bytes, stopping at each of the scenario's byte triggers
 * so that a rule "on the client's Nth byte" fires right after that byte. */
static int conn_feed_counted(struct conn *c, const unsigned char *p, size_t len,
			     int (*feed)(struct conn *, const unsigned char *, size_t))
{
	while (len && !c->gone && !c->close_after_flush) {
		uint64_t next = c->tap && c->tap->next_byte ? c->tap->next_byte(c) : 0;
		size_t take = len;
		if (next > c->rx_bytes && next - c->rx_bytes < len)
			take = (size_t)(next - c->rx_bytes);
		int rc = feed(c, p, take);
		c->rx_bytes += take;
		p += take;
		len -= take;
		if (rc)
			return rc;
		if (next && c->rx_bytes == next && c->tap && c->tap->on_byte)
			c->tap->on_byte(c);
	}
	return 0;
}

static int conn_ws_feed(struct conn *c, const unsigned char *p, size_t n)
{
	return ws_feed(&c->ws, p, n);
}

static int conn_ws_rx(struct conn *c, const void *data, size_t len)
{
	int rc = conn_feed_counted(c, data, len, conn_ws_feed);
	if (rc == CDPM_ETOOBIG) {
		/* RFC 6455 1009: message too big.  Tell the peer, then close. */
		static const unsigned char too_big[2] = {0x03, 0xF1};
		journal_note(conn_id(c), "inbound message larger than the %zu-byte cap; closing with 1009",
			     c->ws.max_message);
		conn_send_frame(c, WS_OP_CLOSE, too_big, 2);
		c->ws.close_sent = 1;
		conn_close_after_flush(c);
		return 0;
	}
	if (rc == CDPM_EPROTO)
		journal_note(conn_id(c), "WebSocket protocol violation; dropping TCP as Chrome does");
	return rc;
}

int conn_on_rx(struct conn *c, const void *data, size_t len)
{
	if (c->gone || c->close_after_flush)
		return 0;
	switch (c->kind) {
	case CONN_WS:
		return conn_ws_rx(c, data, len);
	case CONN_PIPE:
		return conn_feed_counted(c, data, len, conn_pipe_feed);
	case CONN_HTTP:
		break;
	}
	int rc = buf_add(&c->in, data, len);
	if (rc)
		return rc;
	rc = http_feed(c);
	if (rc || c->kind != CONN_WS || !c->in.len)
		return rc;
	/* Bytes after the upgrade request are already WebSocket frames. */
	struct buf rest = c->in;
	buf_init(&c->in, server.opts.max_message + 65536);
	rc = conn_ws_rx(c, rest.data, rest.len);
	buf_clear(&rest);
	return rc;
}
