/* conn.c - per-connection input dispatch and the outbox (see conn.h).
 * We write with writev() on the socket ourselves instead of lws_write(): lws
 * would copy any unsent tail of a frame into its own buffer, while keeping
 * the outbox here lets a writable callback flush many frames at once and lets
 * trace producers run only when the peer has drained what we sent. */
#include "conn.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cdpm.h"
#include "http.h"
#include "journal.h"
#include "loop.h"
#include "router.h"
#include "server.h"
#include "targets.h"

struct conn_msg {
	struct conn_msg *next;
	char *base;  /* owned */
	size_t off;  /* next byte to write */
	size_t end;
};

static struct conn *conn_all;

struct conn *conn_list(void)
{
	return conn_all;
}

struct conn *conn_new(enum conn_kind kind, struct lws *wsi)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = server.next_conn_id++;
	c->kind = kind;
	c->wsi = c->out_wsi = wsi;
	c->out_fd = wsi ? lws_get_socket_fd(wsi) : -1;
	buf_init(&c->in, server.opts.max_message + 65536);
	ws_init(&c->ws, server.opts.max_message);
	c->next = conn_all;
	conn_all = c;
	return c;
}

static void conn_outbox_clear(struct conn *c)
{
	struct conn_msg *m = c->head, *n;
	for (; m; m = n) {
		n = m->next;
		free(m->base);
		free(m);
	}
	c->head = c->tail = NULL;
	c->queued = 0;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	c->gone = 1;
	while (c->sessions)
		session_free(c->sessions);
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

static int conn_enqueue(struct conn *c, char *base, size_t off, size_t end)
{
	struct conn_msg *m = malloc(sizeof(*m));
	if (!m) {
		free(base);
		return CDPM_ENOMEM;
	}
	m->next = NULL;
	m->base = base;
	m->off = off;
	m->end = end;
	if (c->tail)
		c->tail->next = m;
	else
		c->head = m;
	c->tail = m;
	c->queued += end - off;
	loop_want_write(c->out_wsi);
	if (c->queued > CONN_HIGH_WATER && !c->rx_paused && c->wsi) {
		c->rx_paused = 1;
		loop_rx_pause(c->wsi, 1);
	}
	return 0;
}

int conn_send(struct conn *c, struct buf *b, const char *session_id)
{
	int rc = 0;
	size_t off = CONN_HEADROOM;
	if (c->gone || c->close_after_flush) {
		buf_clear(b);
		return CDPM_ECLOSED;
	}
	journal_out(c, b->data + CONN_HEADROOM, b->len - CONN_HEADROOM, session_id);
	if (c->kind == CONN_WS) {
		int rsv1 = c->ws.deflate;
		if (rsv1 && (rc = ws_compress(&c->ws, b, CONN_HEADROOM)))
			goto fail;
		off -= ws_frame_header((unsigned char *)b->data + CONN_HEADROOM, WS_OP_TEXT, rsv1,
				       b->len - CONN_HEADROOM);
	} else if (c->kind == CONN_PIPE) {
		/* --remote-debugging-pipe: every message ends with a NUL byte. */
		if ((rc = buf_addc(b, '\0')))
			goto fail;
	}
	size_t end = b->len;
	return conn_enqueue(c, buf_take(b, NULL), off, end);
fail:
	buf_clear(b);
	return rc;
}

int conn_send_text(struct conn *c, const char *text, size_t len, const char *session_id)
{
	struct buf b;
	int rc = conn_msg_begin(&b);
	if (!rc)
		rc = buf_add(&b, text, len);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return conn_send(c, &b, session_id);
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
	struct buf b;
	int rc = conn_msg_begin(&b);
	if (!rc)
		rc = buf_add(&b, p, len);
	if (rc || c->gone || c->close_after_flush) {
		buf_clear(&b);
		return rc ? rc : CDPM_ECLOSED;
	}
	size_t off = CONN_HEADROOM -
		     ws_frame_header((unsigned char *)b.data + CONN_HEADROOM, opcode, 0, len);
	size_t end = b.len;
	return conn_enqueue(c, buf_take(&b, NULL), off, end);
}

void conn_close_after_flush(struct conn *c)
{
	c->close_after_flush = 1;
	loop_want_write(c->out_wsi);
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
	loop_kill(c->wsi);
}

void conn_set_producer(struct conn *c, struct conn_producer *p)
{
	c->producer = p;
	if (p)
		loop_want_write(c->out_wsi);
}

/* Asks the producer for more while the outbox is low. */
static int conn_pull(struct conn *c)
{
	while (c->producer && c->queued < CONN_LOW_WATER && !c->gone) {
		struct conn_producer *p = c->producer;
		int rc = p->pull(p, c);
		if (rc <= 0 && c->producer == p)
			c->producer = NULL;
		if (rc < 0)
			return rc;
	}
	return 0;
}

int conn_on_writable(struct conn *c)
{
	if (c->gone)
		return -1;
	for (;;) {
		if (conn_pull(c))
			return -1;
		if (!c->head)
			break;
		struct iovec iov[64];
		int n = 0;
		for (struct conn_msg *m = c->head; m && n < 64; m = m->next, n++) {
			iov[n].iov_base = m->base + m->off;
			iov[n].iov_len = m->end - m->off;
		}
		ssize_t w = writev(c->out_fd, iov, n);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (w < 0)
			return -1; /* the peer is gone; RAW_CLOSE frees us */
		size_t left = (size_t)w;
		c->queued -= left;
		while (c->head && left >= c->head->end - c->head->off) {
			struct conn_msg *m = c->head;
			left -= m->end - m->off;
			c->head = m->next;
			free(m->base);
			free(m);
		}
		if (!c->head)
			c->tail = NULL;
		else
			c->head->off += left;
		if (c->head)
			break; /* short write: the socket is full */
	}
	if (c->rx_paused && c->queued < CONN_HIGH_WATER / 2) {
		c->rx_paused = 0;
		loop_rx_pause(c->wsi, 0);
	}
	if (c->head || c->producer)
		loop_want_write(c->out_wsi);
	else if (c->close_after_flush)
		return -1;
	return 0;
}

/* --remote-debugging-pipe: messages are separated by NUL bytes. */
static int conn_pipe_rx(struct conn *c, const char *p, size_t n)
{
	int rc = buf_add(&c->in, p, n);
	if (rc) {
		journal_note(c, "pipe message over the %zu-byte cap; closing", c->in.cap);
		return rc;
	}
	size_t start = 0;
	for (size_t i = 0; i < c->in.len; i++) {
		if (c->in.data[i] != '\0')
			continue;
		router_on_message(c, c->in.data + start, i - start);
		start = i + 1;
	}
	if (start) {
		memmove(c->in.data, c->in.data + start, c->in.len - start);
		c->in.len -= start;
	}
	return 0;
}

static int conn_ws_rx(struct conn *c, const void *data, size_t len)
{
	int rc = ws_feed(c, data, len);
	if (rc == CDPM_ETOOBIG) {
		/* RFC 6455 1009: message too big.  Tell the peer, then close. */
		static const unsigned char too_big[2] = {0x03, 0xF1};
		journal_note(c, "inbound message larger than the %zu-byte cap; closing with 1009",
			     c->ws.max_message);
		conn_send_frame(c, WS_OP_CLOSE, too_big, 2);
		c->ws.close_sent = 1;
		conn_close_after_flush(c);
		return 0;
	}
	if (rc == CDPM_EPROTO)
		journal_note(c, "WebSocket protocol violation; dropping TCP as Chrome does");
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
		return conn_pipe_rx(c, data, len);
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
