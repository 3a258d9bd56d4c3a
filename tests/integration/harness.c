/* harness.c - the real server on loopback, raw HTTP and WebSocket (see
 * harness.h).  Deliberately independent of the server's code. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t harness_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int harness_slow(void)
{
	return getenv("CDPM_SLOW") != NULL;
}

int harness_start(struct harness_server *s, const char *const *extra)
{
	const char *bin = getenv("CDPMOCK_BIN");
	const char *wrap = getenv("CDPMOCK_WRAP");
	char *argv[64];
	int argc = 0;
	char *wrapcopy = NULL;
	memset(s, 0, sizeof(*s));
	if (!bin)
		bin = "build/cdpmock";
	if (wrap && *wrap) {
		wrapcopy = strdup(wrap);
		for (char *t = strtok(wrapcopy, " "); t && argc < 40; t = strtok(NULL, " "))
			argv[argc++] = t;
	}
	argv[argc++] = (char *)bin;
	argv[argc++] = "--remote-debugging-port=0";
	for (int i = 0; extra && extra[i] && argc < 62; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;
	int pfd[2];
	if (pipe(pfd))
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	free(wrapcopy);
	close(pfd[1]);
	s->stderr_fd = pfd[0];
	/* Read stderr until the banner line appears. */
	char line[4096];
	size_t n = 0;
	int64_t deadline = harness_ms() + (harness_slow() ? 60000 : 10000);
	for (;;) {
		struct pollfd p = {s->stderr_fd, POLLIN, 0};
		int left = (int)(deadline - harness_ms());
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		ssize_t r = read(s->stderr_fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] != '\n' && n < sizeof(line) - 2) {
			n++;
			continue;
		}
		line[n] = '\0';
		n = 0;
		const char *pfx = "DevTools listening on ";
		if (strncmp(line, pfx, strlen(pfx)))
			continue;
		snprintf(s->ws_url, sizeof(s->ws_url), "%.200s", line + strlen(pfx));
		const char *colon = strrchr(s->ws_url, ':');
		s->port = atoi(colon + 1);
		const char *slash = strrchr(s->ws_url, '/');
		snprintf(s->browser_id, sizeof(s->browser_id), "%s", slash + 1);
		break;
	}
	/* Keep draining stderr so a chatty server (valgrind) never blocks. */
	fcntl(s->stderr_fd, F_SETFL, O_NONBLOCK);
	struct buf body;
	buf_init(&body, 0);
	if (!harness_get(s, "/json/list", &body)) {
		const char *id = strstr(body.data, "\"id\": \"");
		if (id)
			snprintf(s->page_id, sizeof(s->page_id), "%.32s", id + 7);
	}
	buf_clear(&body);
	return 0;
}

static void harness_drain_stderr(struct harness_server *s)
{
	char tmp[4096];
	ssize_t r;
	while ((r = read(s->stderr_fd, tmp, sizeof(tmp))) > 0)
		fwrite(tmp, 1, (size_t)r, stderr); /* valgrind reports end up in the log */
}

int harness_stop(struct harness_server *s)
{
	int status = 0;
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	int64_t deadline = harness_ms() + (harness_slow() ? 60000 : 10000);
	for (;;) {
		harness_drain_stderr(s);
		pid_t r = waitpid(s->pid, &status, WNOHANG);
		if (r == s->pid)
			break;
		if (harness_ms() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			status = -1;
			break;
		}
		usleep(10000);
	}
	harness_drain_stderr(s);
	close(s->stderr_fd);
	s->pid = 0;
	if (status == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *harness_bin(void)
{
	return getenv("CDPMOCK_BIN") ? getenv("CDPMOCK_BIN") : "build/cdpmock";
}

int harness_run(const char *const *args, struct buf *out)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		const char *argv[64] = {harness_bin()};
		int n = 1;
		for (; args[n - 1] && n < 63; n++)
			argv[n] = args[n - 1];
		argv[n] = NULL;
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	char tmp[4096];
	ssize_t r;
	buf_reset(out);
	while ((r = read(p[0], tmp, sizeof(tmp))) > 0)
		buf_add(out, tmp, (size_t)r);
	close(p[0]);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int harness_connect(const struct harness_server *s)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {harness_slow() ? 60 : 10, 0};
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

static int harness_write_all(int fd, const void *p, size_t n)
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

const char *harness_body(const struct buf *resp)
{
	const char *e = resp->data ? strstr(resp->data, "\r\n\r\n") : NULL;
	return e ? e + 4 : "";
}

int harness_http(int fd, const char *req, struct buf *out)
{
	buf_reset(out);
	if (harness_write_all(fd, req, strlen(req)))
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

int harness_http_once(const struct harness_server *s, const char *req, struct buf *out)
{
	int fd = harness_connect(s);
	if (fd < 0)
		return -1;
	int rc = harness_http(fd, req, out);
	close(fd);
	return rc;
}

int harness_get(const struct harness_server *s, const char *path, struct buf *body)
{
	char req[1024];
	struct buf resp;
	buf_init(&resp, 0);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", path,
		 s->port);
	int rc = harness_http_once(s, req, &resp);
	buf_reset(body);
	buf_adds(body, harness_body(&resp));
	buf_clear(&resp);
	return rc;
}

int harness_ws_open(const struct harness_server *s, const char *path, const char *extra,
		    struct buf *resp)
{
	int fd = harness_connect(s);
	if (fd < 0)
		return -1;
	struct buf req, r;
	buf_init(&req, 0);
	buf_init(&r, 0);
	buf_printf(&req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			 "Sec-WebSocket-Version: 13\r\n%s\r\n", path, s->port, extra ? extra : "");
	int ok = harness_write_all(fd, req.data, req.len) == 0;
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

int harness_ws_frame(int fd, int fin, int rsv, int opcode, int masked, const void *p, size_t n)
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
	int rc = harness_write_all(fd, f.data, f.len);
	buf_clear(&f);
	return rc;
}

int harness_ws_text(int fd, const char *text)
{
	return harness_ws_frame(fd, 1, 0, 1, 1, text, strlen(text));
}

static int harness_read_n(int fd, void *p, size_t n, int64_t deadline)
{
	char *c = p;
	while (n) {
		struct pollfd pf = {fd, POLLIN, 0};
		int left = (int)(deadline - harness_ms());
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

int harness_ws_read(int fd, int timeout_ms, int *opcode, int *rsv, struct buf *payload)
{
	unsigned char h[10];
	int64_t deadline = harness_ms() + (harness_slow() ? timeout_ms * 10 : timeout_ms);
	if (harness_read_n(fd, h, 2, deadline))
		return -1;
	uint64_t len = h[1] & 0x7F;
	if (len == 126) {
		if (harness_read_n(fd, h + 2, 2, deadline))
			return -1;
		len = ((uint64_t)h[2] << 8) | h[3];
	} else if (len == 127) {
		if (harness_read_n(fd, h + 2, 8, deadline))
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
	if (harness_read_n(fd, payload->data, (size_t)len, deadline))
		return -1;
	payload->len = (size_t)len;
	payload->data[len] = '\0';
	return (h[0] & 0x80) ? 0 : -1; /* the server never fragments */
}

int harness_ws_next_text(int fd, int timeout_ms, struct buf *payload)
{
	int op;
	if (harness_ws_read(fd, timeout_ms, &op, NULL, payload))
		return -1;
	return op == 1 ? 0 : -1;
}

int harness_ws_call(int fd, const char *text, struct buf *reply)
{
	if (harness_ws_text(fd, text))
		return -1;
	return harness_ws_next_text(fd, 5000, reply);
}

int harness_eof(int fd, int timeout_ms)
{
	char tmp[4096];
	int64_t deadline = harness_ms() + (harness_slow() ? timeout_ms * 10 : timeout_ms);
	for (;;) {
		struct pollfd pf = {fd, POLLIN, 0};
		int left = (int)(deadline - harness_ms());
		if (left <= 0 || poll(&pf, 1, left) <= 0)
			return 0;
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return 1;
		if (r < 0)
			return 0;
	}
}
