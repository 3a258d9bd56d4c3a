/* soak.c - `make soak`: many WebSocket clients against one server for a
 * long time, some tracing, some streaming, some disconnecting or resetting
 * mid-trace, the rest calling a command now and then; a bystander times
 * /json/version on fresh connections throughout.  Before and after (all
 * clients gone) it reads the server's RSS and descriptor count.
 * Pass: no crash, no descriptor leak, RSS back within 10% of where it
 * started (the idle server after a 10-second warm-up by 50 clients; the cold
 * figure is printed too), bystander p99 under 50 ms.  Not part of `make test`: it takes SOAK_SECONDS (default 600) with
 * SOAK_CLIENTS (default 1000).  It prints its figures; exit 0 on a pass. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define SOAK_WARM_CLIENTS 50
#define SOAK_WARM_SECONDS 10

enum soak_kind { SOAK_CALL, SOAK_TRACE, SOAK_STREAM, SOAK_DROP, SOAK_RESET };

struct soak_client {
	int fd;
	enum soak_kind kind;
	int state;          /* 0 idle, 1 waiting for start, 2 tracing, 3 ending, 4 reading */
	int64_t due_ms;     /* next action */
	int next_id;
	int cut_after;      /* DROP/RESET: messages to see before cutting */
	int seen;
	char handle[64];
	unsigned gen;       /* bumped by every (re)connection: fds get reused */
	struct buf in;
};

static struct fx_server soak_srv;
static char soak_path[128];
static unsigned soak_rng = 12345;
static struct {
	long messages, reconnects, traces, streams, cuts, errors, calls;
	long err_open, err_send, err_closed, err_reply; /* errors by cause */
} soak_n;

static int64_t soak_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned soak_rand(unsigned n)
{
	soak_rng = soak_rng * 1103515245u + 12345u;
	return (soak_rng >> 8) % n;
}

static long soak_rss_kb(void)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)soak_srv.pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* Where the resident memory is, from /proc/PID/smaps: the heap (brk),
 * other anonymous mappings (mmap'd blocks, library data) and file-backed
 * pages (code), so that a growth can be put down to one of them. */
struct soak_mem {
	long heap, anon, file;
};

static void soak_mem_split(struct soak_mem *m)
{
	char path[64], line[512];
	int kind = 0; /* 0 file, 1 heap, 2 anon */
	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)soak_srv.pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		long kb;
		if (strchr("0123456789abcdef", line[0]) && strchr(line, '-') < strchr(line, ' ')) {
			char name[256] = "";
			sscanf(line, "%*s %*s %*s %*s %*s %255s", name);
			kind = !strcmp(name, "[heap]") ? 1 : name[0] == '/' ? 0 : 2;
		} else if (sscanf(line, "Rss: %ld kB", &kb) == 1) {
			*(kind == 1 ? &m->heap : kind == 2 ? &m->anon : &m->file) += kb;
		}
	}
	if (f)
		fclose(f);
}

static int soak_fds(void)
{
	char path[64];
	int n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)soak_srv.pid);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return d ? n : -1;
}

static void soak_send_text(struct soak_client *c, const char *text)
{
	if (fx_ws_text(c->fd, text)) {
		soak_n.errors++;
		soak_n.err_send++;
	}
}

/* Sends a command; the format's first conversion is the id. */
#define SOAK_SEND(c, ...)                                   \
	do {                                                \
		char soak_text_[512];                       \
		snprintf(soak_text_, sizeof(soak_text_), __VA_ARGS__); \
		soak_send_text(c, soak_text_);              \
	} while (0)

static void soak_open(struct soak_client *c)
{
	c->gen++;
	c->fd = fx_ws_open(&soak_srv, soak_path, NULL, NULL);
	if (c->fd < 0) {
		soak_n.errors++;
		soak_n.err_open++;
		c->due_ms = soak_ms() + 100;
		return;
	}
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	c->state = 0;
	c->seen = 0;
	c->cut_after = 1 + (int)soak_rand(40);
	c->due_ms = soak_ms() + soak_rand(1000);
	buf_reset(&c->in);
}

static void soak_cut(struct soak_client *c)
{
	if (c->kind == SOAK_RESET) {
		struct linger lg = {1, 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->fd);
	c->fd = -1;
	soak_n.cuts++;
	soak_n.reconnects++;
	soak_open(c);
}

/* Acts on one message from the server. */
static void soak_message(struct soak_client *c, const char *m, size_t n)
{
	(void)n;
	soak_n.messages++;
	c->seen++;
	if ((c->kind == SOAK_DROP || c->kind == SOAK_RESET) && c->state >= 2 &&
	    c->seen >= c->cut_after) {
		soak_cut(c);
		return;
	}
	if (!strncmp(m, "{\"id\":", 6)) {
		int err = strstr(m, "\"error\":") != NULL;
		if (err && c->state != 1) { /* a busy tracer is expected */
			soak_n.errors++;
			soak_n.err_reply++;
		}
		if (c->state == 1) {
			c->state = err ? 0 : 2;
			c->due_ms = soak_ms() + (err ? 500 + soak_rand(1500) : 50 + soak_rand(200));
		} else if (c->state == 4) {
			if (strstr(m, "\"eof\":true")) {
				SOAK_SEND(c, "{\"id\":%d,\"method\":\"IO.close\",\"params\":{\"handle\":\"%s\"}}", c->next_id++, c->handle);
				soak_n.streams++;
				c->state = 0;
				c->due_ms = soak_ms() + soak_rand(1000);
			} else {
				SOAK_SEND(c, "{\"id\":%d,\"method\":\"IO.read\",\"params\":{\"handle\":\"%s\","
					     "\"size\":1048576}}", c->next_id++, c->handle);
			}
		}
		return;
	}
	if (!strncmp(m, "{\"method\":\"Tracing.tracingComplete\"", 35)) {
		const char *h = strstr(m, "\"stream\":\"");
		if (c->kind == SOAK_STREAM && h) {
			snprintf(c->handle, sizeof(c->handle), "%.*s", (int)strcspn(h + 10, "\""), h + 10);
			c->state = 4;
			SOAK_SEND(c, "{\"id\":%d,\"method\":\"IO.read\",\"params\":{\"handle\":\"%s\","
				     "\"size\":1048576}}", c->next_id++, c->handle);
		} else {
			soak_n.traces++;
			c->state = 0;
			c->due_ms = soak_ms() + soak_rand(2000);
		}
	}
}

/* Reads what is there and handles every complete (unmasked) frame. */
static void soak_read(struct soak_client *c)
{
	char tmp[65536];
	ssize_t r;
	while ((r = recv(c->fd, tmp, sizeof(tmp), 0)) > 0)
		buf_add(&c->in, tmp, (size_t)r);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		soak_n.errors++;
		soak_n.err_closed++;
		close(c->fd);
		c->fd = -1;
		soak_n.reconnects++;
		soak_open(c);
		return;
	}
	size_t at = 0;
	while (c->fd >= 0 && c->in.len - at >= 2) {
		const unsigned char *h = (const unsigned char *)c->in.data + at;
		uint64_t len = h[1] & 0x7f;
		size_t hl = 2;
		if (len == 126 && c->in.len - at >= 4) {
			len = (uint64_t)h[2] << 8 | h[3];
			hl = 4;
		} else if (len == 127 && c->in.len - at >= 10) {
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | h[2 + i];
			hl = 10;
		} else if (len >= 126) {
			break;
		}
		if (c->in.len - at < hl + len)
			break;
		unsigned gen = c->gen;
		/* The payload as a C string: borrow the next frame's first byte
		 * (or the buffer's own NUL) for a moment. */
		char *after = c->in.data + at + hl + len, saved = *after;
		*after = '\0';
		soak_message(c, (const char *)h + hl, (size_t)len);
		if (c->gen == gen)
			*after = saved;
		if (c->gen != gen)
			return; /* cut and reopened: the old bytes are gone */
		at += hl + (size_t)len;
	}
	memmove(c->in.data, c->in.data + at, c->in.len - at);
	c->in.len -= at;
}

/* A timer of c is due. */
static void soak_act(struct soak_client *c)
{
	c->due_ms = INT64_MAX;
	if (c->kind == SOAK_CALL) {
		SOAK_SEND(c, "{\"id\":%d,\"method\":\"Browser.getVersion\"}", c->next_id++);
		soak_n.calls++;
		c->due_ms = soak_ms() + 500 + soak_rand(1000);
	} else if (c->state == 0) {
		c->state = 1;
		SOAK_SEND(c, "{\"id\":%d,\"method\":\"Tracing.start\",\"params\":{\"transferMode\":\"%s\"}}", c->next_id++, c->kind == SOAK_STREAM ? "ReturnAsStream" : "ReportEvents");
	} else if (c->state == 2) {
		c->state = 3;
		SOAK_SEND(c, "{\"id\":%d,\"method\":\"Tracing.end\"}", c->next_id++);
	}
}

static int soak_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* One phase: nclients clients of mixed kinds for `seconds`, the bystander
 * timing /json/version every 100 ms into lat[]; then every client closes. */
static void soak_phase(int nclients, int seconds, int64_t *lat, size_t *nlat,
		       int *bystander_fail)
{
	struct soak_client *cl = calloc((size_t)nclients, sizeof(*cl));
	struct pollfd *pf = calloc((size_t)nclients, sizeof(*pf));
	for (int i = 0; i < nclients; i++) {
		if (i % 100 == 99) {
			printf("soak: %d clients open\n", i + 1);
			fflush(stdout);
		}
		unsigned r = soak_rand(100);
		cl[i].kind = r < 50 ? SOAK_CALL : r < 70 ? SOAK_TRACE : r < 85 ? SOAK_STREAM
			   : r < 95 ? SOAK_DROP : SOAK_RESET;
		buf_init(&cl[i].in, 0);
		soak_open(&cl[i]);
	}
	char req[256];
	snprintf(req, sizeof(req), "GET /json/version HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
		 soak_srv.port);
	struct buf resp;
	buf_init(&resp, 0);
	int64_t end = soak_ms() + (int64_t)seconds * 1000, next_by = 0, next_report = soak_ms();
	while (soak_ms() < end) {
		for (int i = 0; i < nclients; i++) {
			pf[i].fd = cl[i].fd;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		poll(pf, (nfds_t)nclients, 10);
		/* Keep the server's stderr flowing (and show what it says). */
		struct pollfd ep = {soak_srv.stderr_fd, POLLIN, 0};
		if (poll(&ep, 1, 0) == 1) {
			char tmp[4096];
			ssize_t r = read(soak_srv.stderr_fd, tmp, sizeof(tmp));
			if (r > 0)
				fprintf(stderr, "soak: server stderr: %.*s", (int)r, tmp);
		}
		int64_t now = soak_ms();
		for (int i = 0; i < nclients; i++) {
			if (cl[i].fd < 0) {
				if (now >= cl[i].due_ms)
					soak_open(&cl[i]);
				continue;
			}
			if (pf[i].revents)
				soak_read(&cl[i]);
			if (cl[i].fd >= 0 && now >= cl[i].due_ms)
				soak_act(&cl[i]);
		}
		if (now >= next_by) {
			int64_t t0 = soak_ms();
			if (fx_http_once(&soak_srv, req, &resp) ||
			    strncmp(resp.data ? resp.data : "", "HTTP/1.1 200 OK", 15))
				(*bystander_fail)++;
			lat[(*nlat)++] = soak_ms() - t0;
			next_by = t0 + 100;
		}
		if (now >= next_report) {
			printf("soak: %3llds: %ld messages, %ld traces, %ld streams, %ld cuts, "
			       "RSS %ld kB\n", (long long)(seconds - (end - now) / 1000),
			       soak_n.messages, soak_n.traces, soak_n.streams, soak_n.cuts,
			       soak_rss_kb());
			fflush(stdout);
			next_report = now + 30000;
		}
	}
	for (int i = 0; i < nclients; i++) {
		if (cl[i].fd >= 0)
			close(cl[i].fd);
		buf_clear(&cl[i].in);
	}
	for (int i = 0; i < nclients; i++) {
		if (cl[i].fd >= 0)
			close(cl[i].fd);
		buf_clear(&cl[i].in);
	}
	free(cl);
	free(pf);
	buf_clear(&resp);
}

int main(void)
{
	int nclients = getenv("SOAK_CLIENTS") ? atoi(getenv("SOAK_CLIENTS")) : 1000;
	int seconds = getenv("SOAK_SECONDS") ? atoi(getenv("SOAK_SECONDS")) : 600;
	char scen[1024];
	snprintf(scen, sizeof(scen), "--scenario=%s/tests/soak/soak.json",
		 getenv("CDPM_SRCDIR") ? getenv("CDPM_SRCDIR") : ".");
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	const char *const args[] = {scen, NULL};
	if (fx_try_start(&soak_srv, args)) {
		fprintf(stderr, "soak: cannot start the server\n");
		return 2;
	}
	snprintf(soak_path, sizeof(soak_path), "/devtools/browser/%s", soak_srv.browser_id);
	usleep(500000);
	/* The cold start, then a warm-up: a few clients use every feature for
	 * a while and leave.  The baseline is the idle server after that: the
	 * code and library pages first touched then are not memory the load
	 * keeps. */
	long rss_cold = soak_rss_kb();
	int64_t *lat = calloc((size_t)seconds * 10 + 200, sizeof(*lat));
	size_t nlat = 0;
	int bystander_fail = 0;
	printf("soak: warm-up, %d clients for %d s\n", SOAK_WARM_CLIENTS, SOAK_WARM_SECONDS);
	soak_phase(SOAK_WARM_CLIENTS, SOAK_WARM_SECONDS, lat, &nlat, &bystander_fail);
	nlat = 0;
	bystander_fail = 0;
	memset(&soak_n, 0, sizeof(soak_n));
	sleep(3);
	long rss0 = soak_rss_kb();
	int fds0 = soak_fds();
	struct soak_mem mem0, mem1;
	soak_mem_split(&mem0);
	printf("soak: server RSS %ld kB cold, %ld kB warm and idle; %d descriptors\n", rss_cold,
	       rss0, fds0);
	fflush(stdout);
	soak_phase(nclients, seconds, lat, &nlat, &bystander_fail);
	sleep(3);
	long rss1 = soak_rss_kb();
	int fds1 = soak_fds();
	soak_mem_split(&mem1);
	qsort(lat, nlat, sizeof(*lat), soak_cmp);
	int64_t p50 = nlat ? lat[nlat / 2] : -1, p99 = nlat ? lat[nlat * 99 / 100] : -1;
	int64_t worst = nlat ? lat[nlat - 1] : -1;
	/* SOAK_HOLD=N keeps the idle server up N more seconds, to inspect it. */
	if (getenv("SOAK_HOLD")) {
		printf("soak: holding the idle server (pid %d) for %s s\n", (int)soak_srv.pid,
		       getenv("SOAK_HOLD"));
		fflush(stdout);
		sleep((unsigned)atoi(getenv("SOAK_HOLD")));
	}
	int st = fx_stop_status(&soak_srv);
	printf("soak: %d clients, %d s: %ld messages, %ld calls, %ld traces, %ld streams, "
	       "%ld cuts, %ld reconnects, %ld client-side errors (%ld opens failed, %ld sends "
	       "failed, %ld connections closed by the server, %ld error replies)\n",
	       nclients, seconds, soak_n.messages, soak_n.calls, soak_n.traces, soak_n.streams,
	       soak_n.cuts, soak_n.reconnects, soak_n.errors, soak_n.err_open, soak_n.err_send,
	       soak_n.err_closed, soak_n.err_reply);
	printf("soak: bystander /json/version: %zu requests, %d failed, p50 %lld ms, p99 %lld ms, "
	       "max %lld ms\n", nlat, bystander_fail, (long long)p50, (long long)p99,
	       (long long)worst);
	printf("soak: server RSS %ld kB -> %ld kB (%+.1f%%; cold start %ld kB), descriptors %d -> "
	       "%d, exit status %d\n", rss0, rss1, 100.0 * (double)(rss1 - rss0) / (double)rss0,
	       rss_cold, fds0, fds1, st);
	printf("soak: resident kB before -> after: heap %ld -> %ld, other anonymous %ld -> %ld, "
	       "file-backed %ld -> %ld\n", mem0.heap, mem1.heap, mem0.anon, mem1.anon, mem0.file,
	       mem1.file);
	int pass = st == 0 && fds1 == fds0 && rss1 <= rss0 + rss0 / 10 && p99 < 50 &&
		   !bystander_fail;
	printf("soak: %s\n", pass ? "PASS" : "FAIL");
	free(lat);
	return pass ? 0 : 1;
}
