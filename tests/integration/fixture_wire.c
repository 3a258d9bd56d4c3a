/* fixture_wire.c - raw HTTP and WebSocket on a loopback TCP socket, so tests
 * can check and send exact bytes (see fixture.h).  Deliberately independent
 * of the server's code and of the C client; it starts no processes. */
#include "fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int fx_tcp(const struct fx_server *s)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {fx_slow() ? 60 : 10, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int fx_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

const char *fx_body(const struct buf *resp)
{
	const char *e = resp->data ? strstr(resp->data, "\r\n\r\n") : NULL;
	return e ? e + 4 : "";
}

int fx_http(int fd, const char *req, struct buf *out)
{
	buf_reset(out);
	if (fx_write_all(fd, req, strlen(req)))
		return -1;
	char tmp[65536];
	for (;;) {
		const char *e = out->data ? strstr(out->data, "\r\n\r\n") : NULL;
		if (e) {
			const char *cl = strstr(out->data, "Content-Length:");
			size_t head = (size_t)(e - out->data) + 4;
			size_t body = cl && cl < e ? strtoul(cl + 15, NULL, 10) : 0;
			if (out->len >= head + body)
				return 0;
		}
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		if (r <= 0)
			return -1;
		buf_add(out, tmp, (size_t)r);
	}
}

int fx_http_once(const struct fx_server *s, const char *req, struct buf *out)
{
	int fd = fx_tcp(s);
	if (fd < 0)
		return -1;
	int rc = fx_http(fd, req, out);
	close(fd);
	return rc;
}

int fx_request(const struct fx_server *s, const char *method, const char *path, const char *headers,
	       const char *body, struct buf *resp)
{
	struct buf req;
	buf_init(&req, 0);
	buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s", method, path, s->port,
		   headers ? headers : "");
	if (body)
		buf_printf(&req, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	else
		buf_adds(&req, "\r\n");
	int rc = fx_http_once(s, req.data, resp);
	buf_clear(&req);
	return rc;
}

int fx_get(const struct fx_server *s, const char *path, struct buf *body)
{
	struct buf resp;
	buf_init(&resp, 0);
	int rc = fx_request(s, "GET", path, NULL, NULL, &resp);
	buf_reset(body);
	buf_adds(body, fx_body(&resp));
	buf_clear(&resp);
	return rc;
}

int fx_ws_open(const struct fx_server *s, const char *path, const char *extra, struct buf *resp)
{
	int fd = fx_tcp(s);
	if (fd < 0)
		return -1;
	struct buf req, r;
	buf_init(&req, 0);
	buf_init(&r, 0);
	buf_printf(&req,
		   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
		   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		   "Sec-WebSocket-Version: 13\r\n%s\r\n",
		   path, s->port, extra ? extra : "");
	int ok = fx_write_all(fd, req.data, req.len) == 0;
	/* Read byte by byte up to the blank line so no frame bytes are eaten. */
	while (ok && !(r.len >= 4 && !memcmp(r.data + r.len - 4, "\r\n\r\n", 4))) {
		char ch;
		if (recv(fd, &ch, 1, 0) != 1)
			ok = 0;
		else
			buf_addc(&r, ch);
	}
	if (ok && r.data && strncmp(r.data, "HTTP/1.1 101 ", 13)) {
		/* An error response: read its body too. */
		const char *cl = strstr(r.data, "Content-Length:");
		size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
		while (body--) {
			char ch;
			if (recv(fd, &ch, 1, 0) != 1)
				break;
			buf_addc(&r, ch);
		}
		ok = 0;
	}
	if (resp) {
		buf_reset(resp);
		if (r.len)
			buf_add(resp, r.data, r.len);
	}
	buf_clear(&req);
	buf_clear(&r);
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

int fx_ws_frame(int fd, int fin, int rsv, int opcode, int masked, const void *p, size_t n)
{
	struct buf f;
	buf_init(&f, 0);
	buf_addc(&f, (char)((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0F)));
	unsigned char mbit = masked ? 0x80 : 0;
	if (n < 126) {
		buf_addc(&f, (char)(mbit | n));
	} else if (n <= 0xFFFF) {
		buf_addc(&f, (char)(mbit | 126));
		buf_addc(&f, (char)(n >> 8));
		buf_addc(&f, (char)n);
	} else {
		buf_addc(&f, (char)(mbit | 127));
		for (int i = 7; i >= 0; i--)
			buf_addc(&f, (char)((uint64_t)n >> (8 * i)));
	}
	static const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
	if (masked)
		buf_add(&f, key, 4);
	size_t at = f.len;
	buf_add(&f, p, n);
	if (masked)
		for (size_t i = 0; i < n; i++)
			f.data[at + i] ^= (char)key[i & 3];
	int rc = fx_write_all(fd, f.data, f.len);
	buf_clear(&f);
	return rc;
}

int fx_ws_text(int fd, const char *text)
{
	return fx_ws_frame(fd, 1, 0, 1, 1, text, strlen(text));
}

static int fx_read_n(int fd, void *p, size_t n, long long deadline)
{
	char *c = p;
	while (n) {
		struct pollfd pf = {fd, POLLIN, 0};
		int left = (int)(deadline - fx_now_ms());
		if (left <= 0 || poll(&pf, 1, left) <= 0)
			return -1;
		ssize_t r = recv(fd, c, n, 0);
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int fx_ws_read(int fd, int timeout_ms, int *opcode, int *rsv, struct buf *payload)
{
	unsigned char h[10];
	long long deadline = fx_now_ms() + (fx_slow() ? timeout_ms * 10 : timeout_ms);
	if (fx_read_n(fd, h, 2, deadline))
		return -1;
	uint64_t len = h[1] & 0x7F;
	if (len == 126) {
		if (fx_read_n(fd, h + 2, 2, deadline))
			return -1;
		len = ((uint64_t)h[2] << 8) | h[3];
	} else if (len == 127) {
		if (fx_read_n(fd, h + 2, 8, deadline))
			return -1;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = (len << 8) | h[2 + i];
	}
	*opcode = h[0] & 0x0F;
	if (rsv)
		*rsv = (h[0] >> 4) & 7;
	buf_reset(payload);
	if (buf_reserve(payload, (size_t)len))
		return -1;
	if (fx_read_n(fd, payload->data, (size_t)len, deadline))
		return -1;
	payload->len = (size_t)len;
	payload->data[len] = '\0';
	return (h[0] & 0x80) ? 0 : -1; /* the server never fragments */
}

int fx_ws_next_text(int fd, int timeout_ms, struct buf *payload)
{
	int op;
	if (fx_ws_read(fd, timeout_ms, &op, NULL, payload))
		return -1;
	return op == 1 ? 0 : -1;
}

int fx_ws_call(int fd, const char *text, struct buf *reply)
{
	if (fx_ws_text(fd, text))
		return -1;
	return fx_ws_next_text(fd, 5000, reply);
}

int fx_eof(int fd, int timeout_ms)
{
	char tmp[4096];
	long long deadline = fx_now_ms() + (fx_slow() ? timeout_ms * 10 : timeout_ms);
	for (;;) {
		struct pollfd pf = {fd, POLLIN, 0};
		int left = (int)(deadline - fx_now_ms());
		if (left <= 0 || poll(&pf, 1, left) <= 0)
			return 0;
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return 1;
		if (r < 0)
			return 0;
	}
}
