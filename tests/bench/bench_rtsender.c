/* bench_rtsender.c - the round-trip benchmark's ceiling: a bare WebSocket
 * server on epoll with no CDP logic.  Every request frame gets one reply
 * frame of the same size and shape as cdpmock's Browser.getVersion answer,
 * with the request's id put in, so what bench_rt measures against it is the
 * loopback, the kernel and the client, not a server.  Not a server to test
 * anything with: it trusts its client (bench_rt) completely.
 *
 *   bench_rtsender    listens on 127.0.0.1:0, prints "PORT n" on stderr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* The result part of cdpmock's getVersion reply, byte for byte in size. */
static const char rt_result[] =
    ",\"result\":{\"protocolVersion\":\"1.3\",\"product\":\"Chrome/156.0.8078.79\","
    "\"revision\":\"@a21ce95c24ce3964416f09ae1862f53f319eb4d0\",\"userAgent\":"
    "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/156.0.0.0 Safari/537.36\",\"jsVersion\":\"15.6.75.27\"}}";

struct rt_conn {
	int fd, upgraded;
	char in[8192];
	size_t in_len;
	char *out;
	size_t out_len, out_cap;
};

static int rt_out(struct rt_conn *c, const void *p, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = (c->out_cap ? c->out_cap * 2 : 4096) + n;
		char *o = realloc(c->out, cap);
		if (!o)
			return -1;
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return 0;
}

static int rt_flush(struct rt_conn *c)
{
	size_t done = 0;
	while (done < c->out_len) {
		ssize_t w = send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return 0;
}

/* One reply frame for the request payload p (n bytes, unmasked). */
static int rt_reply(struct rt_conn *c, const char *p, size_t n)
{
	const char *id = memmem(p, n, "\"id\":", 5);
	char body[512];
	int bl = snprintf(body, sizeof(body), "{\"id\":%ld%s", id ? strtol(id + 5, NULL, 10) : 0,
			  rt_result);
	unsigned char h[4] = {0x81, 126, (unsigned char)(bl >> 8), (unsigned char)bl};
	if (bl < 126) {
		h[1] = (unsigned char)bl;
		return rt_out(c, h, 2) || rt_out(c, body, (size_t)bl);
	}
	return rt_out(c, h, 4) || rt_out(c, body, (size_t)bl);
}

/* Consumes whole frames from c->in; -1 on a close frame or bad input. */
static int rt_frames(struct rt_conn *c)
{
	size_t at = 0;
	for (;;) {
		unsigned char *h = (unsigned char *)c->in + at;
		size_t have = c->in_len - at, len, hl = 2;
		if (have < 2)
			break;
		len = h[1] & 0x7F;
		if (len == 126) {
			if (have < 4)
				break;
			len = (size_t)h[2] << 8 | h[3];
			hl = 4;
		} else if (len == 127) {
			return -1;
		}
		if (h[1] & 0x80)
			hl += 4;
		if (have < hl + len)
			break;
		if ((h[0] & 0x0F) == 8)
			return -1;
		char *p = (char *)h + hl;
		for (size_t i = 0; (h[1] & 0x80) && i < len; i++)
			p[i] ^= (char)h[hl - 4 + (i & 3)];
		if (rt_reply(c, p, len))
			return -1;
		at += hl + len;
	}
	memmove(c->in, c->in + at, c->in_len - at);
	c->in_len -= at;
	return 0;
}

static int rt_upgrade(struct rt_conn *c)
{
	char *e = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	if (!e)
		return 0;
	static const char ok[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				 "Connection: Upgrade\r\nSec-WebSocket-Accept: "
				 "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
	size_t used = (size_t)(e + 4 - c->in);
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	c->upgraded = 1;
	return rt_out(c, ok, sizeof(ok) - 1);
}

static void rt_drop(int ep, struct rt_conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

int main(void)
{
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int ep = epoll_create1(0);
	if (ls < 0 || ep < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ls, 4096) || getsockname(ls, (struct sockaddr *)&sa, &sl)) {
		perror("bench_rtsender");
		return 1;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	fprintf(stderr, "PORT %d\n", ntohs(sa.sin_port));
	fflush(stderr);
	struct epoll_event evs[256];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		for (int i = 0; i < n; i++) {
			struct rt_conn *c = evs[i].data.ptr;
			if (!c) {
				int fd;
				while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					int one = 1;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					c = calloc(1, sizeof(*c));
					c->fd = fd;
					struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
				}
				continue;
			}
			ssize_t r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
			if (r <= 0) {
				if (r < 0 && (errno == EAGAIN || errno == EINTR))
					continue;
				rt_drop(ep, c);
				continue;
			}
			c->in_len += (size_t)r;
			if ((!c->upgraded && rt_upgrade(c)) || (c->upgraded && rt_frames(c)) ||
			    rt_flush(c))
				rt_drop(ep, c);
		}
	}
}
