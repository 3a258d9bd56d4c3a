/* bench_startup.c - how fast cdpmock is ready: from exec to the DevTools
 * banner on stderr, and to the first complete /json/version answer (what
 * a launcher such as puppeteer waits for).  Median and minimum of N runs,
 * beside the floor measured in the same run: exec of a bare epoll server
 * (bench_rtsender) to its listening line.  Also the idle RSS after the
 * first answer.  A standalone program run by `make bench`, not a test.
 *
 *   bench_startup BUILD/cdpmock [runs, default 25] [BENCH/bench_rtsender] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_wsc.h"

/* GET /json/version and read the whole response (head + Content-Length). */
static int startup_version(int port)
{
	struct sockaddr_in sa;
	char req[128], resp[4096];
	size_t n = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	int l = snprintf(req, sizeof(req),
			 "GET /json/version HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", port);
	if (send(fd, req, (size_t)l, 0) != l)
		goto fail;
	for (;;) {
		ssize_t r = recv(fd, resp + n, sizeof(resp) - 1 - n, 0);
		if (r <= 0)
			goto fail;
		n += (size_t)r;
		resp[n] = '\0';
		const char *e = strstr(resp, "\r\n\r\n");
		const char *cl = strstr(resp, "Content-Length:");
		if (e && cl && n >= (size_t)(e + 4 - resp) + strtoul(cl + 15, NULL, 10))
			break;
	}
	close(fd);
	return strstr(resp, "webSocketDebuggerUrl") ? 0 : -1;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_startup CDPMOCK [runs]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 25;
	if (runs < 1 || runs > 1000)
		runs = 25;
	double *banner = calloc((size_t)runs, sizeof(double));
	double *ready = calloc((size_t)runs, sizeof(double));
	double *floor_s = calloc((size_t)runs, sizeof(double));
	char *args[] = {argv[1], "--remote-debugging-port=0", NULL};
	char *bare[] = {argc > 3 ? argv[3] : NULL, NULL};
	long rss_kb = 0;
	/* Alternating, so that both see the same machine. */
	for (int i = 0; i < runs; i++) {
		struct wsc_proc p;
		double t0 = wsc_now();
		if (wsc_spawn(&p, args, NULL) || startup_version(p.port)) {
			fprintf(stderr, "bench_startup: run %d failed\n", i);
			return 1;
		}
		ready[i] = wsc_now() - t0;
		banner[i] = p.banner_s;
		if (i == runs - 1)
			rss_kb = wsc_status_kb(p.pid, "VmRSS");
		wsc_stop(&p);
		if (bare[0]) {
			if (wsc_spawn(&p, bare, NULL)) {
				fprintf(stderr, "bench_startup: %s failed\n", bare[0]);
				return 1;
			}
			floor_s[i] = p.banner_s;
			wsc_stop(&p);
		}
	}
	qsort(banner, (size_t)runs, sizeof(double), cmp_double);
	qsort(ready, (size_t)runs, sizeof(double), cmp_double);
	qsort(floor_s, (size_t)runs, sizeof(double), cmp_double);
	printf("startup (%d runs): exec -> banner %.2f ms median (min %.2f); exec -> first "
	       "/json/version answer %.2f ms median (min %.2f); ceiling < 2.5 ms: %s\n",
	       runs, banner[runs / 2] * 1e3, banner[0] * 1e3, ready[runs / 2] * 1e3, ready[0] * 1e3,
	       ready[runs / 2] < 0.0025 ? "met" : "NOT met");
	if (bare[0])
		printf("  floor: a bare epoll server, exec -> listening %.2f ms median (min %.2f)\n",
		       floor_s[runs / 2] * 1e3, floor_s[0] * 1e3);
	printf("  idle RSS after the first answer: %.1f MB; ceiling < 8 MB: %s\n", rss_kb / 1024.0,
	       rss_kb > 0 && rss_kb < 8 * 1024 ? "met" : "NOT met");
	free(banner);
	free(ready);
	free(floor_s);
	return 0;
}
