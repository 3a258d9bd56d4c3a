/* cdpclient.c - the synchronous CDP client (see cdpclient.h): one lws client
 * connection, an outbox of frames and an inbox of whole messages.  Blocking
 * calls run lws_service() until their condition holds; the lws callback only
 * moves bytes between the socket and those two queues.  Discovery over HTTP
 * lives in cdpc_discover.c. */
#include "cdpclient.h"
#include "cdpc_discover.h"
#include "cdpc_url.h"
#include "cdpm.h"

#include <libwebsockets.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum cdpc_state { ST_CONNECTING, ST_OPEN, ST_CLOSED };

/* One received message.  raw is always allocated (NUL-terminated). */
struct cdpc_msg {
	struct cdpc_msg *next;
	json_t *json; /* NULL when raw is not JSON */
	char *raw;
	size_t len;
	long long id; /* the integer "id", when has_id */
	unsigned long long seq; /* its arrival number, from 1 */
	int has_id;
	int binary;
};

/* One message to send: LWS_PRE bytes of headroom, then len bytes. */
struct cdpc_out {
	struct cdpc_out *next;
	unsigned char *data;
	size_t len;
	size_t off;  /* bytes already written */
	size_t frag; /* 0: one frame */
	unsigned flags;
};

struct cdpc {
	struct lws_context *ctx;
	struct lws *wsi;
	lws_sorted_usec_list_t sul; /* wakes lws_service() at a deadline */
	struct cdpc_opts opts;
	struct buf ws_url;
	struct buf conn_err; /* lws's reason for a failed connect */
	enum cdpc_state state;
	int fail;       /* why the connection ended: CDPM_ECLOSED, ETOOBIG... */
	int closing;    /* cdpc_close() asked for a close frame */
	int close_code; /* see cdpc_close_code() */
	char close_reason[128];
	struct cdpc_out *out_head, *out_tail;
	struct cdpc_msg *q_head, *q_tail;
	size_t q_bytes;
	struct cdpc_msg *last; /* what cdpc_last_raw() shows */
	struct buf rx;         /* the message being reassembled */
	unsigned long long rx_count; /* messages received so far */
	int rx_binary;
	int next_id;
};

static void msg_free(struct cdpc_msg *m)
{
	if (!m)
		return;
	json_decref(m->json);
	free(m->raw);
	free(m);
}

static void out_free(struct cdpc_out *o)
{
	if (!o)
		return;
	free(o->data);
	free(o);
}

/* Marks the connection as ended for reason rc (first reason wins). */
static void set_fail(struct cdpc *c, int rc)
{
	if (!c->fail)
		c->fail = rc;
}

/* ---- inbound ---------------------------------------------------------- */

/* Reads the integer "id" of a parsed message, if it has one. */
static void msg_scan_id(struct cdpc_msg *m)
{
	json_t *id = json_object_get(m->json, "id");
	if (json_is_integer(id)) {
		m->id = json_integer_value(id);
		m->has_id = 1;
	}
}

/* Queues the reassembled message in c->rx (taking its storage). */
static int queue_rx(struct cdpc *c)
{
	struct cdpc_msg *m;
	size_t len;

	if (c->rx.len > c->opts.max_queue - c->q_bytes)
		return CDPM_ETOOBIG;
	m = calloc(1, sizeof(*m));
	if (!m)
		return CDPM_ENOMEM;
	m->raw = buf_take(&c->rx, &len);
	if (!m->raw)
		m->raw = calloc(1, 1); /* an empty message */
	if (!m->raw) {
		free(m);
		return CDPM_ENOMEM;
	}
	m->len = len;
	m->seq = ++c->rx_count;
	m->binary = c->rx_binary;
	/* Chrome's messages are objects, but a test server may send anything:
	 * keep whatever parses, and the raw bytes either way. */
	m->json = json_loadb(m->raw, m->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	msg_scan_id(m);
	if (c->q_tail)
		c->q_tail->next = m;
	else
		c->q_head = m;
	c->q_tail = m;
	c->q_bytes += m->len;
	return 0;
}

static int on_receive(struct cdpc *c, struct lws *wsi, const void *in, size_t len)
{
	int rc;

	if (lws_is_first_fragment(wsi)) {
		c->rx_binary = lws_frame_is_binary(wsi);
		/* A big frame is reserved whole: no copy per doubling, and
		 * over the cap it fails at once rather than at the end. */
		size_t left = lws_remaining_packet_payload(wsi);
		if (left > 65536 && lws_is_final_fragment(wsi) == 0)
			buf_reserve(&c->rx, len + left);
	}
	rc = buf_add(&c->rx, in, len);
	if (!rc && lws_is_final_fragment(wsi))
		rc = queue_rx(c);
	if (!rc)
		return 0;
	/* Over a cap (or out of memory): give up on the connection rather
	 * than drop a message silently. */
	set_fail(c, rc);
	c->close_code = LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE;
	lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
	return -1;
}

/* The close frame's payload: a 2-byte code, then a UTF-8 reason. */
static void on_peer_close(struct cdpc *c, const unsigned char *in, size_t len)
{
	size_t n;

	if (len < 2) {
		c->close_code = LWS_CLOSE_STATUS_NO_STATUS;
		return;
	}
	c->close_code = (in[0] << 8) | in[1];
	n = len - 2 < sizeof(c->close_reason) - 1 ? len - 2 : sizeof(c->close_reason) - 1;
	memcpy(c->close_reason, in + 2, n);
	c->close_reason[n] = '\0';
}

static void on_closed(struct cdpc *c)
{
	if (c->state == ST_CONNECTING && !c->conn_err.len)
		buf_adds(&c->conn_err, "connection closed during the handshake");
	c->state = ST_CLOSED;
	c->wsi = NULL;
	if (!c->close_code)
		c->close_code = LWS_CLOSE_STATUS_ABNORMAL_CLOSE;
	set_fail(c, CDPM_ECLOSED);
}

static void on_connect_error(struct cdpc *c, const char *in, size_t len)
{
	buf_reset(&c->conn_err);
	if (in)
		buf_add(&c->conn_err, in, strnlen(in, len ? len : 256));
	else
		buf_adds(&c->conn_err, "connection failed");
	on_closed(c);
}

/* ---- outbound --------------------------------------------------------- */

static void out_pop(struct cdpc *c)
{
	struct cdpc_out *o = c->out_head;

	c->out_head = o->next;
	if (!c->out_head)
		c->out_tail = NULL;
	out_free(o);
}

/* lws 4.1's permessage-deflate asserts on an empty message ("want to trim
 * out length 0"), so an empty one is built here and written raw: FIN, the
 * opcode, RSV1 clear (uncompressed, which RFC 7692 allows), the mask bit,
 * length 0, and a zero mask key, which masks nothing anyway. */
static int write_empty(struct cdpc *c, struct lws *wsi, struct cdpc_out *o)
{
	unsigned char *p = o->data + LWS_PRE;

	p[0] = o->flags & CDPC_SEND_BINARY ? 0x82 : 0x81;
	p[1] = 0x80;
	memset(p + 2, 0, 4);
	if (lws_write(wsi, p, 6, LWS_WRITE_RAW) < 0) {
		set_fail(c, CDPM_EIO);
		return -1;
	}
	out_pop(c);
	if (c->out_head || c->closing)
		lws_callback_on_writable(wsi);
	return 0;
}

/* Writes the next frame of the oldest queued message: one frame per
 * WRITEABLE callback, as lws wants.  lws writes each frame's header into
 * the LWS_PRE bytes before it (for a later fragment those are bytes of the
 * earlier fragment, already sent) and masks the payload in place. */
static int on_writeable(struct cdpc *c, struct lws *wsi)
{
	struct cdpc_out *o = c->out_head;
	enum lws_write_protocol wp;

	if (!o) {
		if (!c->closing)
			return 0;
		c->close_code = LWS_CLOSE_STATUS_NORMAL;
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
		return -1;
	}
	if (!o->len && c->opts.deflate)
		return write_empty(c, wsi, o);
	size_t left = o->len - o->off;
	size_t n = o->frag && o->frag < left ? o->frag : left;
	if (o->off == 0)
		wp = o->flags & CDPC_SEND_BINARY ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
	else
		wp = LWS_WRITE_CONTINUATION;
	if (n < left)
		wp |= LWS_WRITE_NO_FIN;
	if (lws_write(wsi, o->data + LWS_PRE + o->off, n, wp) < 0) {
		set_fail(c, CDPM_EIO);
		return -1;
	}
	o->off += n;
	if (o->off == o->len)
		out_pop(c);
	if (c->out_head || c->closing)
		lws_callback_on_writable(wsi);
	return 0;
}

static int cdpc_lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		       size_t len)
{
	struct cdpc *c = lws_context_user(lws_get_context(wsi));

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->state = ST_OPEN;
		if (c->out_head || c->closing)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		on_connect_error(c, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(c, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		on_peer_close(c, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		on_closed(c);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		/* Covers ways out that skip CLIENT_CLOSED. */
		if (c && wsi == c->wsi && c->state != ST_CLOSED)
			on_closed(c);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols cdpc_protocols[] = {
	{ .name = "cdpc", .callback = cdpc_lws_cb, .rx_buffer_size = 65536 },
	{ .name = NULL },
};

static const struct lws_extension cdpc_extensions[] = {
	{ "permessage-deflate", lws_extension_callback_pm_deflate,
	  "permessage-deflate; client_max_window_bits" },
	{ NULL, NULL, NULL },
};

/* ---- the blocking engine ---------------------------------------------- */

typedef int (*cond_fn)(struct cdpc *c, const void *arg);

/* The deadline timer.  Firing alone is not enough: lws runs ripe timers
 * before it computes its poll wait, so one that falls due right then would
 * leave poll() waiting with no limit.  Cancelling the service wakes the
 * poll through lws's event pipe in every case. */
static void sul_wake(lws_sorted_usec_list_t *sul)
{
	struct cdpc *c = container_of(sul, struct cdpc, sul);
	lws_cancel_service(c->ctx);
}

/* Services lws until done(c, arg) holds (0), the connection has failed
 * (c->fail), or timeout_ms passes (CDPM_EAGAIN; <0 waits forever, 0 takes
 * only what is ready now).  done is checked first, so what is already
 * queued wins over a failure. */
static int pump(struct cdpc *c, int timeout_ms, cond_fn done, const void *arg)
{
	lws_usec_t deadline = lws_now_usecs() + (lws_usec_t)timeout_ms * LWS_US_PER_MS;
	int polled = 0, rc;

	for (;;) {
		if (done(c, arg)) {
			rc = 0;
			break;
		}
		if (c->fail) {
			rc = c->fail;
			break;
		}
		lws_usec_t left = deadline - lws_now_usecs();
		if (timeout_ms >= 0 && left <= 0) {
			if (polled) {
				rc = CDPM_EAGAIN;
				break;
			}
			/* Negative: service what is ready without waiting. */
			polled = 1;
			lws_service(c->ctx, -1);
			continue;
		}
		if (timeout_ms >= 0)
			lws_sul_schedule(c->ctx, 0, &c->sul, sul_wake, left);
		if (lws_service(c->ctx, 0) < 0)
			set_fail(c, CDPM_EIO);
	}
	lws_sul_cancel(&c->sul);
	return rc;
}

static int cond_connected(struct cdpc *c, const void *arg)
{
	(void)arg;
	return c->state != ST_CONNECTING;
}

static int cond_flushed(struct cdpc *c, const void *arg)
{
	(void)arg;
	return !c->out_head;
}

static int cond_closed(struct cdpc *c, const void *arg)
{
	(void)arg;
	return c->state == ST_CLOSED;
}

static int cond_queued(struct cdpc *c, const void *arg)
{
	(void)arg;
	return c->q_head != NULL;
}

static struct cdpc_msg **find_reply(struct cdpc *c, long long id)
{
	for (struct cdpc_msg **pm = &c->q_head; *pm; pm = &(*pm)->next)
		if ((*pm)->has_id && (*pm)->id == id)
			return pm;
	return NULL;
}

static int cond_reply(struct cdpc *c, const void *arg)
{
	return find_reply(c, *(const int *)arg) != NULL;
}

/* Unlinks *pm from the queue and makes it the "last" message. */
static struct cdpc_msg *take(struct cdpc *c, struct cdpc_msg **pm)
{
	struct cdpc_msg *m = *pm, *prev = NULL;

	if (m == c->q_tail && m != c->q_head)
		for (prev = c->q_head; prev->next != m; prev = prev->next)
			;
	*pm = m->next;
	if (m == c->q_tail)
		c->q_tail = prev;
	m->next = NULL;
	c->q_bytes -= m->len;
	msg_free(c->last);
	c->last = m;
	return m;
}

/* ---- connect and free ------------------------------------------------- */

static int create_context(struct cdpc *c)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = cdpc_protocols;
	info.extensions = c->opts.deflate ? cdpc_extensions : NULL;
	info.gid = -1;
	info.uid = -1;
	info.user = c;
	/* One socket plus lws's own; without this lws sizes its tables for
	 * the whole process fd limit. */
	info.fd_limit_per_thread = 16;
	info.pt_serv_buf_size = 65536;
	info.timeout_secs = (unsigned)(c->opts.connect_timeout_ms / 1000 + 1);
	info.connect_timeout_secs = info.timeout_secs;
	c->ctx = lws_create_context(&info);
	return c->ctx ? 0 : CDPM_ENOMEM;
}

/* Resolves endpoint to a ws:// URL in c->ws_url and splits it into u. */
static int resolve(struct cdpc *c, const char *endpoint, struct cdpc_url *u, struct buf *err)
{
	int rc;

	if (!strncasecmp(endpoint, "http://", 7)) {
		rc = cdpc_discover(endpoint, c->opts.page, c->opts.connect_timeout_ms, &c->ws_url,
				   err);
		if (rc)
			return rc;
	} else if (!strncasecmp(endpoint, "ws://", 5)) {
		rc = buf_adds(&c->ws_url, endpoint);
		if (rc)
			return rc;
	} else {
		if (err)
			buf_printf(err, "%s: want an http:// or ws:// endpoint", endpoint);
		return CDPM_EINVAL;
	}
	rc = cdpc_url_parse(c->ws_url.data, "ws", u);
	if (rc) {
		if (err)
			buf_printf(err, "bad WebSocket URL: %s", c->ws_url.data);
		return rc;
	}
	if (!u->host[0]) {
		/* Chrome echoes the Host header it was sent; with none it
		 * prints "ws:///devtools/...".  Use the endpoint's host. */
		struct cdpc_url e;
		if (cdpc_url_parse(endpoint, "http", &e))
			return CDPM_EPROTO;
		memcpy(u->host, e.host, sizeof(u->host));
		memcpy(u->hostport, e.hostport, sizeof(u->hostport));
		u->port = e.port;
	}
	return 0;
}

static int open_ws(struct cdpc *c, const struct cdpc_url *u, int timeout_ms, struct buf *err)
{
	struct lws_client_connect_info ci;
	int rc;

	memset(&ci, 0, sizeof(ci));
	ci.context = c->ctx;
	ci.address = u->host;
	ci.port = u->port;
	ci.path = u->path;
	ci.host = u->hostport;
	/* No Origin header: Chrome allows an absent one, and any other value
	 * must match its own address exactly (docs/chrome.md §2.4-§2.5). */
	ci.origin = NULL;
	ci.protocol = NULL;
	ci.ietf_version_or_minus_one = -1;
	ci.local_protocol_name = "cdpc";
	ci.pwsi = &c->wsi;
	if (!lws_client_connect_via_info(&ci) && c->state == ST_CONNECTING)
		on_connect_error(c, "lws could not start the connection", 0);
	rc = pump(c, timeout_ms, cond_connected, NULL);
	if (!rc && c->state == ST_OPEN)
		return 0;
	if (err)
		buf_printf(err, "%s: %s", c->ws_url.data,
			   rc == CDPM_EAGAIN ? "handshake timed out"
					     : c->conn_err.len ? c->conn_err.data : "failed");
	return rc == CDPM_EAGAIN ? CDPM_EAGAIN : CDPM_EIO;
}

static void set_defaults(struct cdpc_opts *o, const struct cdpc_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = CDPC_DEFAULT_CONNECT_TIMEOUT_MS;
	if (o->send_timeout_ms <= 0)
		o->send_timeout_ms = CDPC_DEFAULT_SEND_TIMEOUT_MS;
	if (!o->max_message)
		o->max_message = CDPC_DEFAULT_MAX_MESSAGE;
	if (!o->max_queue)
		o->max_queue = CDPC_DEFAULT_MAX_QUEUE;
}

int cdpc_connect(const char *endpoint, const struct cdpc_opts *opts, struct cdpc **out,
		 struct buf *err)
{
	lws_usec_t start = lws_now_usecs();
	struct cdpc_url u;
	struct cdpc *c;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return CDPM_ENOMEM;
	set_defaults(&c->opts, opts);
	buf_init(&c->ws_url, 8192);
	buf_init(&c->conn_err, 1024);
	buf_init(&c->rx, c->opts.max_message);
	c->state = ST_CONNECTING;
	c->next_id = 1;
	rc = resolve(c, endpoint, &u, err);
	if (rc)
		goto fail;
	if (c->opts.lws_log_level >= 0)
		lws_set_log_level(c->opts.lws_log_level ? c->opts.lws_log_level : LLL_ERR, NULL);
	rc = create_context(c);
	if (rc) {
		if (err)
			buf_adds(err, "lws_create_context failed");
		goto fail;
	}
	/* Discovery and the handshake share one connect timeout. */
	lws_usec_t spent_ms = (lws_now_usecs() - start) / LWS_US_PER_MS;
	int left = c->opts.connect_timeout_ms - (int)spent_ms;
	rc = open_ws(c, &u, left > 0 ? left : 0, err);
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	cdpc_free(c);
	return rc;
}

void cdpc_free(struct cdpc *c)
{
	if (!c)
		return;
	if (c->ctx) {
		lws_sul_cancel(&c->sul);
		lws_context_destroy(c->ctx);
	}
	while (c->out_head) {
		struct cdpc_out *o = c->out_head;
		c->out_head = o->next;
		out_free(o);
	}
	while (c->q_head) {
		struct cdpc_msg *m = c->q_head;
		c->q_head = m->next;
		msg_free(m);
	}
	msg_free(c->last);
	buf_clear(&c->rx);
	buf_clear(&c->ws_url);
	buf_clear(&c->conn_err);
	free(c);
}

int cdpc_close(struct cdpc *c, int timeout_ms)
{
	if (c->state == ST_CLOSED)
		return 0;
	c->closing = 1;
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
	int rc = pump(c, timeout_ms, cond_closed, NULL);
	return rc == CDPM_EAGAIN ? rc : 0;
}

/* ---- sending ---------------------------------------------------------- */

/* Queues a copy of data and waits until it has been handed to lws. */
static int enqueue(struct cdpc *c, const void *data, size_t len, size_t frag, unsigned flags)
{
	struct cdpc_out *o;

	if (c->fail)
		return c->fail;
	o = calloc(1, sizeof(*o));
	/* 6 spare bytes: write_empty() builds a frame there. */
	if (!o || !(o->data = malloc(LWS_PRE + len + 6))) {
		free(o);
		return CDPM_ENOMEM;
	}
	if (len)
		memcpy(o->data + LWS_PRE, data, len);
	o->len = len;
	o->frag = frag;
	o->flags = flags;
	if (c->out_tail)
		c->out_tail->next = o;
	else
		c->out_head = o;
	c->out_tail = o;
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
	return pump(c, c->opts.send_timeout_ms, cond_flushed, NULL);
}

int cdpc_send_raw(struct cdpc *c, const void *data, size_t len, size_t frag, unsigned flags)
{
	return enqueue(c, data, len, frag, flags);
}

int cdpc_send_text(struct cdpc *c, const char *text, size_t len)
{
	return enqueue(c, text, len, 0, 0);
}

/* Builds {"id","method","params","sessionId"} as compact JSON text. */
static char *build_command(int id, const char *method, json_t *params, const char *session_id)
{
	json_auto_t *msg = json_object();
	json_t *m = json_string(method);
	json_t *s = session_id ? json_string(session_id) : NULL;
	char *text = NULL;

	if (!msg || !m || (session_id && !s))
		goto out;
	if (json_object_set_new(msg, "id", json_integer(id)) ||
	    json_object_set(msg, "method", m) || (params && json_object_set(msg, "params", params)) ||
	    (s && json_object_set(msg, "sessionId", s)))
		goto out;
	text = json_dumps(msg, JSON_COMPACT);
out:
	json_decref(m);
	json_decref(s);
	return text;
}

int cdpc_send(struct cdpc *c, const char *method, json_t *params, const char *session_id,
	      int *id)
{
	int my_id = c->next_id, rc;
	char *text;

	if (!method || (params && !json_is_object(params)))
		return CDPM_EINVAL;
	if (c->fail)
		return c->fail;
	text = build_command(my_id, method, params, session_id);
	if (!text)
		return CDPM_EINVAL; /* invalid UTF-8 in method or session, or no memory */
	c->next_id = c->next_id == 0x7fffffff ? 1 : c->next_id + 1;
	if (id)
		*id = my_id;
	rc = enqueue(c, text, strlen(text), 0, 0);
	free(text);
	return rc;
}

/* ---- receiving -------------------------------------------------------- */

int cdpc_wait(struct cdpc *c, int id, int timeout_ms, json_t **reply)
{
	*reply = NULL;
	int rc = pump(c, timeout_ms, cond_reply, &id);
	if (rc)
		return rc;
	struct cdpc_msg *m = take(c, find_reply(c, id));
	*reply = m->json;
	m->json = NULL;
	return 0;
}

int cdpc_call(struct cdpc *c, const char *method, json_t *params, const char *session_id,
	      int timeout_ms, json_t **reply)
{
	int id, rc;

	*reply = NULL;
	rc = cdpc_send(c, method, params, session_id, &id);
	if (rc)
		return rc;
	return cdpc_wait(c, id, timeout_ms, reply);
}

int cdpc_next(struct cdpc *c, int timeout_ms, json_t **msg)
{
	*msg = NULL;
	int rc = pump(c, timeout_ms, cond_queued, NULL);
	if (rc)
		return rc;
	struct cdpc_msg *m = take(c, &c->q_head);
	if (!m->json)
		return CDPM_EPROTO;
	*msg = m->json;
	m->json = NULL;
	return 0;
}

const char *cdpc_last_raw(const struct cdpc *c, size_t *len)
{
	if (len)
		*len = c->last ? c->last->len : 0;
	return c->last ? c->last->raw : "";
}

int cdpc_last_binary(const struct cdpc *c)
{
	return c->last ? c->last->binary : 0;
}

unsigned long long cdpc_last_seq(const struct cdpc *c)
{
	return c->last ? c->last->seq : 0;
}

unsigned long long cdpc_received(const struct cdpc *c)
{
	return c->rx_count;
}

/* ---- state and reply helpers ------------------------------------------ */

const char *cdpc_ws_url(const struct cdpc *c)
{
	return c->ws_url.data ? c->ws_url.data : "";
}

int cdpc_is_open(const struct cdpc *c)
{
	return c->state == ST_OPEN && !c->fail;
}

int cdpc_close_code(const struct cdpc *c)
{
	/* After a failure lws may not have finished closing: calls stop
	 * servicing it, but the connection is over all the same. */
	return c->state == ST_CLOSED || c->fail ? c->close_code : 0;
}

const char *cdpc_close_reason(const struct cdpc *c)
{
	return c->close_reason;
}

json_t *cdpc_error(const json_t *reply, int *code, const char **message)
{
	json_t *e = json_object_get(reply, "error");
	if (!e)
		return NULL;
	if (code)
		*code = (int)json_integer_value(json_object_get(e, "code"));
	if (message) {
		const char *s = json_string_value(json_object_get(e, "message"));
		*message = s ? s : "";
	}
	return e;
}

json_t *cdpc_result(const json_t *reply)
{
	return json_object_get(reply, "result");
}
