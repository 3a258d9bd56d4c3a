/* cdpc_discover.c - Chrome's HTTP discovery endpoints, over a plain blocking
 * socket (see cdpc_discover.h).  It speaks just enough HTTP/1.1 for
 * /json/version and /json/list: a GET, then a body framed by
 * Content-Length or by the end of the connection.  Chunked bodies are
 * refused: Chrome never sends them. */
#include "cdpc_discover.h"
#include "cdpc_url.h"
#include "cdpm.h"

#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD ((size_t)64 << 10)
#define MAX_BODY ((size_t)64 << 20)

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void seterr(struct buf *err, const char *what, const char *detail)
{
	if (err)
		buf_printf(err, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

/* Waits for events on fd until deadline: 0, CDPM_EAGAIN or CDPM_EIO. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return CDPM_EAGAIN;
		int n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return CDPM_EIO;
	}
}

/* Non-blocking connect of one address, finished within deadline. */
static int connect_one(const struct addrinfo *ai, long long deadline, int *out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	int rc = CDPM_EIO, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0)
		return CDPM_EIO;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto ok;
	if (errno != EINPROGRESS)
		goto out;
	rc = wait_fd(fd, POLLOUT, deadline);
	if (rc)
		goto out;
	rc = CDPM_EIO;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
		errno = soerr;
		goto out;
	}
ok:
	*out = fd;
	return 0;
out:
	close(fd);
	return rc;
}

static int connect_host(const struct cdpc_url *u, long long deadline, int *fd, struct buf *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char port[8];
	int rc = CDPM_EIO;

	snprintf(port, sizeof(port), "%d", u->port);
	int gai = getaddrinfo(u->host[0] ? u->host : "127.0.0.1", port, &hints, &res);
	if (gai) {
		seterr(err, u->host, gai_strerror(gai));
		return CDPM_EIO;
	}
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		rc = connect_one(ai, deadline, fd);
		if (rc == 0 || rc == CDPM_EAGAIN)
			break;
	}
	if (rc == CDPM_EAGAIN)
		seterr(err, u->hostport, "connect timed out");
	else if (rc)
		seterr(err, u->hostport, strerror(errno));
	freeaddrinfo(res);
	return rc;
}

static int send_all(int fd, const char *p, size_t n, long long deadline)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return CDPM_EIO;
		int rc = wait_fd(fd, POLLOUT, deadline);
		if (rc)
			return rc;
	}
	return 0;
}

/* Reads more bytes into b: 0, 1 at end of stream, or an error. */
static int read_some(int fd, struct buf *b, long long deadline)
{
	for (;;) {
		int rc = buf_reserve(b, 16384);
		if (rc)
			return rc;
		ssize_t r = recv(fd, b->data + b->len, 16384, 0);
		if (r > 0) {
			b->len += (size_t)r;
			b->data[b->len] = '\0';
			return 0;
		}
		if (r == 0)
			return 1;
		if (errno != EAGAIN && errno != EINTR)
			return CDPM_EIO;
		rc = wait_fd(fd, POLLIN, deadline);
		if (rc)
			return rc;
	}
}

/* Finds header name in the head (lines after the status line) and returns
 * its value, skipping blanks.  Chrome writes "Content-Length:442", with no
 * space after the colon. */
static const char *find_header(const char *head, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l, "\r\n")) {
		l += 2;
		if (strncasecmp(l, name, n))
			continue;
		const char *v = l + n;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != ':')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		return v;
	}
	return NULL;
}

/* Parses the head in r[0..head_len); sets *status and *clen (-1: none). */
static int parse_head(const char *r, int *status, long long *clen, struct buf *err)
{
	const char *v;
	char *end;

	if (strncmp(r, "HTTP/1.", 7) || !r[7] || r[8] != ' ') {
		seterr(err, "not an HTTP/1.x response", NULL);
		return CDPM_EPROTO;
	}
	long s = strtol(r + 9, &end, 10);
	if (end != r + 12 || s < 100 || s > 999) {
		seterr(err, "bad HTTP status line", NULL);
		return CDPM_EPROTO;
	}
	*status = (int)s;
	v = find_header(r, "transfer-encoding");
	if (v && strncasecmp(v, "identity", 8)) {
		seterr(err, "chunked HTTP bodies are not supported", NULL);
		return CDPM_EPROTO;
	}
	*clen = -1;
	v = find_header(r, "content-length");
	if (v) {
		errno = 0;
		long long l = strtoll(v, &end, 10);
		if (errno || end == v || l < 0 || (*end != '\r' && *end != ' ')) {
			seterr(err, "bad Content-Length", NULL);
			return CDPM_EPROTO;
		}
		*clen = l;
	}
	return 0;
}

/* Reads a whole response on fd; the body is appended to body. */
static int read_response(int fd, long long deadline, struct buf *body, struct buf *err)
{
	struct buf r;
	char *eoh;
	int status = 0, rc, eof = 0;
	long long clen;

	buf_init(&r, MAX_HEAD + MAX_BODY);
	while (!(eoh = r.data ? strstr(r.data, "\r\n\r\n") : NULL)) {
		if (r.len > MAX_HEAD || eof) {
			seterr(err, "no complete HTTP response head", NULL);
			rc = CDPM_EPROTO;
			goto out;
		}
		rc = read_some(fd, &r, deadline);
		if (rc < 0)
			goto out;
		eof = rc;
	}
	eoh[2] = '\0'; /* the head ends with its last line's CRLF */
	size_t body_off = (size_t)(eoh + 4 - r.data);
	rc = parse_head(r.data, &status, &clen, err);
	if (rc)
		goto out;
	if (clen > (long long)MAX_BODY) {
		seterr(err, "HTTP body too big", NULL);
		rc = CDPM_ETOOBIG;
		goto out;
	}
	while (clen >= 0 ? r.len - body_off < (size_t)clen : !eof) {
		if (eof) {
			seterr(err, "HTTP body cut short", NULL);
			rc = CDPM_EPROTO;
			goto out;
		}
		rc = read_some(fd, &r, deadline);
		if (rc < 0)
			goto out;
		eof = rc;
	}
	if (status != 200) {
		if (err)
			buf_printf(err, "HTTP status %d", status);
		rc = CDPM_EPROTO;
		goto out;
	}
	rc = buf_add(body, r.data + body_off, clen >= 0 ? (size_t)clen : r.len - body_off);
out:
	if (rc == CDPM_EAGAIN)
		seterr(err, "HTTP response timed out", NULL);
	else if (rc == CDPM_EIO)
		seterr(err, "HTTP read failed", strerror(errno));
	buf_clear(&r);
	return rc;
}

int cdpc_discover_get(const char *endpoint, const char *path, int timeout_ms, struct buf *body,
		      struct buf *err)
{
	long long deadline = now_ms() + timeout_ms;
	struct cdpc_url u;
	struct buf req;
	int fd = -1, rc;

	buf_init(&req, 0);
	rc = cdpc_url_parse(endpoint, "http", &u);
	if (rc) {
		seterr(err, "bad endpoint URL", endpoint);
		goto out;
	}
	rc = connect_host(&u, deadline, &fd, err);
	if (rc)
		goto out;
	/* Chrome ignores "Connection: close" and keeps the socket open, so the
	 * body is framed by Content-Length; the header is for other servers. */
	rc = buf_printf(&req,
			"GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n"
			"Connection: close\r\n\r\n",
			path, u.hostport);
	if (rc)
		goto out;
	rc = send_all(fd, req.data, req.len, deadline);
	if (rc) {
		seterr(err, "HTTP request failed", rc == CDPM_EAGAIN ? "timeout" : strerror(errno));
		goto out;
	}
	rc = read_response(fd, deadline, body, err);
out:
	if (fd >= 0)
		close(fd);
	buf_clear(&req);
	return rc;
}

/* Picks the URL out of a /json/version object or a /json/list array. */
static int pick_url(json_t *doc, int page, struct buf *ws_url, struct buf *err)
{
	const char *url = NULL;

	if (!page) {
		if (json_unpack(doc, "{s:s}", "webSocketDebuggerUrl", &url)) {
			seterr(err, "/json/version has no webSocketDebuggerUrl", NULL);
			return CDPM_EPROTO;
		}
		return buf_adds(ws_url, url);
	}
	if (!json_is_array(doc)) {
		seterr(err, "/json/list is not an array", NULL);
		return CDPM_EPROTO;
	}
	size_t i;
	json_t *t;
	json_array_foreach(doc, i, t) {
		const char *type = json_string_value(json_object_get(t, "type"));
		url = json_string_value(json_object_get(t, "webSocketDebuggerUrl"));
		if (type && url && !strcmp(type, "page"))
			return buf_adds(ws_url, url);
	}
	seterr(err, "/json/list has no page target", NULL);
	return CDPM_ENOENT;
}

int cdpc_discover(const char *endpoint, int page, int timeout_ms, struct buf *ws_url,
		  struct buf *err)
{
	struct buf body;
	json_error_t jerr;
	json_t *doc = NULL;
	int rc;

	buf_init(&body, 0);
	rc = cdpc_discover_get(endpoint, page ? "/json/list" : "/json/version", timeout_ms,
			       &body, err);
	if (rc)
		goto out;
	doc = json_loadb(body.data ? body.data : "", body.len, 0, &jerr);
	if (!doc) {
		if (err)
			buf_printf(err, "discovery reply is not JSON: %s", jerr.text);
		rc = CDPM_EPROTO;
		goto out;
	}
	rc = pick_url(doc, page, ws_url, err);
out:
	json_decref(doc);
	buf_clear(&body);
	return rc;
}
