/* bench_wsc.c - the benchmarks' lean WebSocket client and server spawner
 * (see bench_wsc.h). */
#include "bench_wsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

double wsc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int wsc_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads more bytes into the buffer (compacting it when the tail is short
 * of room).  0, or -1 on EOF/error. */
static int wsc_fill(struct wsc *w)
{
	if (w->cap - w->end < (w->cap >> 2) && w->start) {
		memmove(w->buf, w->buf + w->start, w->end - w->start);
		w->end -= w->start;
		w->start = 0;
	}
	if (w->end == w->cap)
		return -1;
	for (;;) {
		ssize_t r = recv(w->fd, w->buf + w->end, w->cap - w->end, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		w->end += (size_t)r;
		w->rx_bytes += (uint64_t)r;
		return 0;
	}
}

int wsc_connect(struct wsc *w, int port, const char *path, size_t cap)
{
	struct sockaddr_in sa;
	char req[512];
	memset(w, 0, sizeof(*w));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	w->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->fd < 0)
		return -1;
	int one = 1, big = 4 << 20;
	setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (connect(w->fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			 "Sec-WebSocket-Version: 13\r\n\r\n",
			 path, port);
	if (wsc_write_all(w->fd, req, (size_t)n))
		goto fail;
	w->cap = cap;
	w->buf = malloc(cap);
	if (!w->buf)
		goto fail;
	/* The 101 head; frame bytes after it stay in the buffer. */
	for (;;) {
		if (wsc_fill(w))
			goto fail;
		char *e = memmem(w->buf, w->end, "\r\n\r\n", 4);
		if (!e)
			continue;
		if (strncmp(w->buf, "HTTP/1.1 101", 12))
			goto fail;
		w->start = (size_t)(e + 4 - w->buf);
		return 0;
	}
fail:
	wsc_close(w);
	return -1;
}

void wsc_close(struct wsc *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->buf);
	w->buf = NULL;
}

int wsc_send(struct wsc *w, const char *text, size_t n)
{
	unsigned char h[14];
	size_t hl = 2;
	h[0] = 0x81;
	if (n < 126) {
		h[1] = (unsigned char)(0x80 | n);
	} else if (n <= 0xFFFF) {
		h[1] = 0x80 | 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		hl = 4;
	} else {
		h[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
		hl = 10;
	}
	/* A zero mask key: the payload goes out unchanged. */
	memset(h + hl, 0, 4);
	hl += 4;
	if (wsc_write_all(w->fd, h, hl))
		return -1;
	return wsc_write_all(w->fd, text, n);
}

int wsc_sendf(struct wsc *w, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	return wsc_send(w, tmp, (size_t)n);
}

int wsc_next(struct wsc *w, const char **p, size_t *n)
{
	for (;;) {
		size_t have = w->end - w->start;
		const unsigned char *h = (const unsigned char *)w->buf + w->start;
		if (have >= 2) {
			uint64_t len = h[1] & 0x7F;
			size_t hl = 2;
			if (len == 126 && have >= 4) {
				len = (uint64_t)h[2] << 8 | h[3];
				hl = 4;
			} else if (len == 127 && have >= 10) {
				len = 0;
				for (int i = 0; i < 8; i++)
					len = len << 8 | h[2 + i];
				hl = 10;
			} else if (len >= 126) {
				len = UINT64_MAX;
			}
			if (len != UINT64_MAX && have >= hl + len) {
				w->start += hl + (size_t)len;
				if ((h[0] & 0x0F) != 1)
					continue; /* ping, pong: nothing the bench needs */
				*p = (const char *)h + hl;
				*n = (size_t)len;
				return 0;
			}
			if (len != UINT64_MAX && hl + len > w->cap)
				return -1;
		}
		if (wsc_fill(w))
			return -1;
	}
}

static int wsc_banner(struct wsc_proc *p, const char *line)
{
	const char *pfx = "DevTools listening on ws://";
	const char *s = strstr(line, pfx);
	if (s) {
		const char *colon = strchr(s + strlen(pfx), ':');
		if (!colon)
			return 0;
		p->port = atoi(colon + 1);
		const char *slash = strchr(colon, '/');
		snprintf(p->path, sizeof(p->path), "%s", slash ? slash : "/");
		return 1;
	}
	if (!strncmp(line, "PORT ", 5)) {
		p->port = atoi(line + 5);
		snprintf(p->path, sizeof(p->path), "/");
		return 1;
	}
	return 0;
}

int wsc_spawn(struct wsc_proc *p, char *const argv[], char *const env[])
{
	int pfd[2];
	memset(p, 0, sizeof(*p));
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	double t0 = wsc_now();
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		dup2(pfd[1], 2);
		for (int i = 0; env && env[i]; i++)
			putenv(env[i]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	p->err_fd = pfd[0];
	char line[1024];
	size_t n = 0;
	for (;;) {
		struct pollfd pf = {p->err_fd, POLLIN, 0};
		if (poll(&pf, 1, 10000) <= 0)
			return -1;
		ssize_t r = read(p->err_fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] != '\n' && n < sizeof(line) - 2) {
			n++;
			continue;
		}
		line[n] = '\0';
		n = 0;
		if (wsc_banner(p, line)) {
			p->banner_s = wsc_now() - t0;
			return 0;
		}
	}
}

long wsc_status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t fl = strlen(field);
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, fl) && line[fl] == ':')
			kb = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return kb;
}

long wsc_hwm_kb(pid_t pid)
{
	return wsc_status_kb(pid, "VmHWM");
}

void wsc_stop(struct wsc_proc *p)
{
	if (p->pid <= 0)
		return;
	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
	close(p->err_fd);
	p->pid = 0;
}
