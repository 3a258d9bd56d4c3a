/* bench_rt.c - round trips: C WebSocket connections, each with one
 * Browser.getVersion in flight at a time (send, wait for the reply, send
 * the next), against cdpmock and against bench_rtsender, the bare epoll
 * server that answers with the same bytes and no CDP logic.  Both are
 * measured in the same run, alternating, and the figures are medians.
 * Prints req/s, p50/p99 latency and the server's CPU per request beside
 * the ceiling: the bare sender's req/s (and p99 at C=1000).
 * A standalone program run by `make bench`, not a test.
 *
 *   bench_rt --server BUILD/cdpmock --sender BENCH/bench_rtsender
 *            [--conns 1,16,64,1000] [--seconds S] [--rounds N] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_wsc.h"

#define RT_CAP 65536
#define RT_BUCKET_US 10 /* latency histogram resolution */
#define RT_BUCKETS 100000

struct rt_conn {
	struct wsc w;
	double sent_at;
	long id;
};

struct rt_result {
	double rps, p50_ms, p99_ms, cpu_us;
};

static unsigned long rt_hist[RT_BUCKETS + 1];

static int rt_send(struct rt_conn *c)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "{\"id\":%ld,\"method\":\"Browser.getVersion\"}", ++c->id);
	c->sent_at = wsc_now();
	return wsc_send(&c->w, msg, (size_t)n);
}

/* Whole frames in the buffer: how many replies arrived.  -1 on a close. */
static int rt_frames(struct rt_conn *c)
{
	struct wsc *w = &c->w;
	int got = 0;
	for (;;) {
		unsigned char *h = (unsigned char *)w->buf + w->start;
		size_t have = w->end - w->start, len = h[1] & 0x7F, hl = 2;
		if (have < 2)
			break;
		if (len == 126) {
			if (have < 4)
				break;
			len = (size_t)h[2] << 8 | h[3];
			hl = 4;
		} else if (len == 127) {
			if (have < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | h[2 + i];
			hl = 10;
		}
		if (have < hl + len)
			break;
		if ((h[0] & 0x0F) == 8)
			return -1;
		w->start += hl + len;
		got++;
	}
	if (w->start == w->end)
		w->start = w->end = 0;
	return got;
}

static double rt_pct(unsigned long total, double q)
{
	unsigned long want = (unsigned long)((double)total * q), seen = 0;
	for (int i = 0; i <= RT_BUCKETS; i++) {
		seen += rt_hist[i];
		if (seen > want)
			return (double)(i * RT_BUCKET_US) / 1000.0;
	}
	return (double)RT_BUCKETS * RT_BUCKET_US / 1000.0;
}

/* utime + stime of pid, in seconds. */
static double rt_cpu(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* One measurement: spawn argv, open nconn connections, warm up, count. */
static int rt_run(char *const argv[], int nconn, double seconds, struct rt_result *res)
{
	struct wsc_proc pr;
	if (wsc_spawn(&pr, argv, NULL)) {
		fprintf(stderr, "bench_rt: cannot start %s\n", argv[0]);
		return -1;
	}
	const char *path = pr.path[0] ? pr.path : "/";
	struct rt_conn *cs = calloc((size_t)nconn, sizeof(*cs));
	int ep = epoll_create1(0), rc = -1;
	for (int i = 0; i < nconn; i++) {
		if (wsc_connect(&cs[i].w, pr.port, path, RT_CAP)) {
			fprintf(stderr, "bench_rt: connection %d of %d failed\n", i + 1, nconn);
			nconn = i;
			goto out;
		}
		fcntl(cs[i].w.fd, F_SETFL, O_NONBLOCK);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].w.fd, &ev);
	}
	for (int i = 0; i < nconn; i++)
		if (rt_send(&cs[i]))
			goto out;
	double start = wsc_now(), warm = start + (seconds > 2 ? 0.5 : seconds / 4);
	double end = warm + seconds, t0 = 0, cpu0 = 0;
	unsigned long count = 0;
	int counting = 0;
	memset(rt_hist, 0, sizeof(rt_hist));
	struct epoll_event evs[256];
	for (;;) {
		double now = wsc_now();
		if (!counting && now >= warm) {
			counting = 1;
			t0 = now;
			cpu0 = rt_cpu(pr.pid);
		}
		if (now >= end)
			break;
		int n = epoll_wait(ep, evs, 256, 100);
		if (n < 0 && errno != EINTR)
			goto out;
		now = wsc_now();
		for (int i = 0; i < n; i++) {
			struct rt_conn *c = evs[i].data.ptr;
			struct wsc *w = &c->w;
			ssize_t r = recv(w->fd, w->buf + w->end, w->cap - w->end, 0);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				fprintf(stderr, "bench_rt: the server closed a connection\n");
				goto out;
			}
			w->end += (size_t)r;
			int got = rt_frames(c);
			if (got < 0)
				goto out;
			if (!got)
				continue;
			if (counting) {
				unsigned long us = (unsigned long)((now - c->sent_at) * 1e6);
				rt_hist[us / RT_BUCKET_US < RT_BUCKETS ? us / RT_BUCKET_US : RT_BUCKETS]++;
				count++;
			}
			if (rt_send(c))
				goto out;
		}
	}
	double dt = wsc_now() - t0;
	res->rps = (double)count / dt;
	res->p50_ms = rt_pct(count, 0.50);
	res->p99_ms = rt_pct(count, 0.99);
	res->cpu_us = count ? (rt_cpu(pr.pid) - cpu0) * 1e6 / (double)count : 0;
	rc = 0;
out:
	for (int i = 0; i < nconn; i++)
		wsc_close(&cs[i].w);
	free(cs);
	close(ep);
	wsc_stop(&pr);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of each figure over rounds. */
static void rt_median(struct rt_result *r, int n, struct rt_result *out)
{
	double v[4][16];
	for (int i = 0; i < n; i++) {
		v[0][i] = r[i].rps;
		v[1][i] = r[i].p50_ms;
		v[2][i] = r[i].p99_ms;
		v[3][i] = r[i].cpu_us;
	}
	out->rps = median(v[0], n);
	out->p50_ms = median(v[1], n);
	out->p99_ms = median(v[2], n);
	out->cpu_us = median(v[3], n);
}

int main(int argc, char **argv)
{
	const char *server = NULL, *sender = NULL, *conns = "1,16,64,1000";
	double seconds = 2;
	int rounds = 3, bad = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--server"))
			server = argv[i + 1];
		else if (!strcmp(argv[i], "--sender"))
			sender = argv[i + 1];
		else if (!strcmp(argv[i], "--conns"))
			conns = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
	}
	if (!server || !sender || rounds < 1 || rounds > 16 || seconds <= 0) {
		fprintf(stderr, "usage: bench_rt --server CDPMOCK --sender BENCH_RTSENDER "
				"[--conns 1,16,64,1000] [--seconds S] [--rounds N<=16]\n");
		return 2;
	}
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	char *mock_argv[] = {(char *)server, "--remote-debugging-port=0", NULL};
	char *bare_argv[] = {(char *)sender, NULL};
	printf("%6s %10s %10s %8s %8s %8s %8s %8s %8s %7s %7s\n", "C", "bare r/s", "mock r/s",
	       "ratio", "ceiling", "bare p99", "mock p99", "mock p50", "bare CPU", "mock CPU", "");
	for (const char *c = conns; *c;) {
		int n = atoi(c);
		struct rt_result bare[16], mock[16], b, m;
		for (int r = 0; r < rounds; r++)
			if (rt_run(bare_argv, n, seconds, &bare[r]) ||
			    rt_run(mock_argv, n, seconds, &mock[r]))
				return 1;
		rt_median(bare, rounds, &b);
		rt_median(mock, rounds, &m);
		double ratio = m.rps / b.rps, need = n >= 1000 ? 0.85 : 0.90;
		int ok = ratio >= need && (n < 1000 || m.p99_ms <= 1.2 * b.p99_ms);
		bad |= !ok;
		printf("%6d %10.0f %10.0f %8.2f %7.2f+ %6.2fms %6.2fms %6.2fms %6.1fus %5.1fus  %s\n",
		       n, b.rps, m.rps, ratio, need, b.p99_ms, m.p99_ms, m.p50_ms, b.cpu_us, m.cpu_us,
		       ok ? "ok" : "BELOW");
		c = strchr(c, ',');
		c = c ? c + 1 : "";
	}
	printf("ceiling: mock req/s at least 0.90 of the bare sender's (0.85 at C>=1000, with p99\n"
	       "at most 1.2 times the bare sender's); CPU is the server's per request.\n");
	return bad ? 3 : 0;
}
