/* loop.c - the event loop on epoll (see loop.h).  cdpmock speaks HTTP and
 * WebSocket itself, byte for byte as Chrome's DevTools server does, so the
 * loop only needs readiness, timers and lifetimes: a few hundred lines
 * over epoll(7), with no library context to build at startup and nothing
 * scanned per wakeup but the ready descriptors. */
#include "net/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cdpm.h"
#include "clock.h"
#include "journal.h"

enum loop_ep_kind { LOOP_LISTENER = 1, LOOP_SOCKET, LOOP_PIPE_IN, LOOP_PIPE_OUT };

struct loop_ep {
	int fd;
	enum loop_ep_kind kind;
	const struct loop_io *io;
	void *user;          /* what io->open returned; NULL after closed() */
	uint32_t mask;       /* events registered with epoll */
	int rx_on;           /* reading (not paused) */
	int want_write;      /* the writable callback is due */
	int out_armed;       /* polled for EPOLLOUT */
	int pending;         /* on the deferred-write list */
	int dead;            /* closed: freed after this iteration */
	int killed;          /* on the kill list */
	int nopoll;          /* a regular file: epoll refuses it, always ready */
	struct loop_ep *peer;       /* the pipe's other side */
	struct loop_ep *next, *prev; /* every live endpoint */
	struct loop_ep *pend_next, *kill_next, *dead_next;
};

/* Bytes read per readiness event: large enough that a trace upload or a
 * big command takes few wakeups. */
#define LOOP_READ_MAX (256 * 1024)

static int loop_epfd = -1, loop_wakefd = -1;
static volatile sig_atomic_t loop_stopping;
static struct loop_ep *loop_all, *loop_pend, *loop_pend_tail, *loop_kills, *loop_dead;
static struct loop_ep *loop_in_write; /* whose writable callback is running */
static int loop_nopoll;               /* endpoints that epoll refused */
static char *loop_rbuf;
/* Who serves the accepted sockets, and its argument. */
static const struct loop_io *loop_tcp_io;
static const void *loop_tcp_arg;
static struct loop_ep *loop_listener;

/* Timers: a binary min-heap on at_ns. */
static struct loop_timer **loop_heap;
static size_t loop_heap_n, loop_heap_cap;
static int loop_in_timers;
static int64_t loop_timers_now;

static int64_t loop_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void loop_heap_set(size_t i, struct loop_timer *t)
{
	loop_heap[i] = t;
	t->slot = i;
}

static void loop_heap_up(size_t i)
{
	struct loop_timer *t = loop_heap[i];
	while (i) {
		size_t p = (i - 1) / 2;
		if (loop_heap[p]->at_ns <= t->at_ns)
			break;
		loop_heap_set(i, loop_heap[p]);
		i = p;
	}
	loop_heap_set(i, t);
}

static void loop_heap_down(size_t i)
{
	struct loop_timer *t = loop_heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= loop_heap_n)
			break;
		if (c + 1 < loop_heap_n && loop_heap[c + 1]->at_ns < loop_heap[c]->at_ns)
			c++;
		if (t->at_ns <= loop_heap[c]->at_ns)
			break;
		loop_heap_set(i, loop_heap[c]);
		i = c;
	}
	loop_heap_set(i, t);
}

static void loop_heap_remove(struct loop_timer *t)
{
	size_t i = t->slot;
	struct loop_timer *last = loop_heap[--loop_heap_n];
	if (i == loop_heap_n)
		return;
	loop_heap_set(i, last);
	loop_heap_up(i);
	loop_heap_down(last->slot);
}

void loop_timer_arm(struct loop_timer *t, int64_t delay_us, void (*fn)(struct loop_timer *))
{
	if (delay_us < 0)
		delay_us = 0;
	if (t->armed)
		loop_heap_remove(t);
	if (loop_heap_n == loop_heap_cap) {
		size_t cap = loop_heap_cap ? loop_heap_cap * 2 : 64;
		struct loop_timer **h = realloc(loop_heap, cap * sizeof(*h));
		if (!h) {
			/* Nothing sane is left to do: a timer that never fires
			 * would hang a client silently. */
			journal_note(0, "out of memory arming a timer");
			abort();
		}
		loop_heap = h;
		loop_heap_cap = cap;
	}
	t->fn = fn;
	t->due_us = clock_now_us() + delay_us;
	t->at_ns = loop_mono_ns() + delay_us * 1000;
	/* Armed while timers run: never due in the same round, so a timer
	 * that re-arms itself with no delay cannot keep the loop there. */
	if (loop_in_timers && t->at_ns <= loop_timers_now)
		t->at_ns = loop_timers_now + 1;
	t->armed = 1;
	loop_heap_set(loop_heap_n++, t);
	loop_heap_up(t->slot);
}

void loop_timer_cancel(struct loop_timer *t)
{
	if (t->armed)
		loop_heap_remove(t);
	t->armed = 0;
}

static void loop_timers_run(void)
{
	loop_in_timers = 1;
	loop_timers_now = loop_mono_ns();
	while (loop_heap_n && loop_heap[0]->at_ns <= loop_timers_now) {
		struct loop_timer *t = loop_heap[0];
		loop_heap_remove(t);
		t->armed = 0;
		if (clock_mode() == CLOCK_MODE_VIRTUAL && !t->real_time)
			clock_advance_us(t->due_us - clock_now_us());
		t->fn(t);
	}
	loop_in_timers = 0;
}

/* Registers what ep wants with epoll. */
static void loop_ep_update(struct loop_ep *ep)
{
	uint32_t m = (ep->rx_on ? EPOLLIN : 0) | (ep->out_armed ? EPOLLOUT : 0);
	if (ep->dead || ep->nopoll || m == ep->mask)
		return;
	struct epoll_event ev = {.events = m, .data.ptr = ep};
	if (!epoll_ctl(loop_epfd, EPOLL_CTL_MOD, ep->fd, &ev))
		ep->mask = m;
}

static struct loop_ep *loop_ep_new(int fd, enum loop_ep_kind kind, const struct loop_io *io,
				   void *user, int rx_on)
{
	struct loop_ep *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return NULL;
	ep->fd = fd;
	ep->kind = kind;
	ep->io = io;
	ep->user = user;
	ep->rx_on = rx_on;
	ep->mask = rx_on ? EPOLLIN : 0;
	struct epoll_event ev = {.events = ep->mask, .data.ptr = ep};
	if (epoll_ctl(loop_epfd, EPOLL_CTL_ADD, fd, &ev)) {
		if (errno != EPERM) {
			free(ep);
			return NULL;
		}
		/* A regular file (a pipe end redirected to one): always ready. */
		ep->nopoll = 1;
		loop_nopoll++;
	}
	ep->next = loop_all;
	if (loop_all)
		loop_all->prev = ep;
	loop_all = ep;
	return ep;
}

/* Closes ep now: its descriptor, and the layer above's closed() once.  The
 * memory is freed at the end of the iteration (events may still name it). */
static void loop_ep_close(struct loop_ep *ep)
{
	if (!ep || ep->dead)
		return;
	ep->dead = 1;
	journal_flush(); /* the note that explains a close precedes it */
	if (ep->nopoll)
		loop_nopoll--;
	else
		epoll_ctl(loop_epfd, EPOLL_CTL_DEL, ep->fd, NULL);
	close(ep->fd);
	if (ep->next)
		ep->next->prev = ep->prev;
	if (ep->prev)
		ep->prev->next = ep->next;
	else
		loop_all = ep->next;
	ep->dead_next = loop_dead;
	loop_dead = ep;
	if (ep == loop_listener)
		loop_listener = NULL;
	struct loop_ep *peer = ep->peer;
	void *user = ep->user;
	ep->user = NULL;
	if (peer) {
		/* The pipe closes as one: the other side goes too, and the
		 * connection hears of it once. */
		peer->peer = NULL;
		peer->user = NULL;
		loop_ep_close(peer);
	}
	if (user && ep->io && ep->io->closed)
		ep->io->closed(user);
	if (ep->kind == LOOP_PIPE_IN || ep->kind == LOOP_PIPE_OUT)
		loop_stop(); /* Chrome exits when its pipe closes */
}

static void loop_reap(void)
{
	while (loop_dead) {
		struct loop_ep *ep = loop_dead;
		loop_dead = ep->dead_next;
		free(ep);
	}
}

/* Out of descriptors (EMFILE, ENFILE), accept4() fails while the listening
 * socket stays readable: polling it would spin at 100% CPU.  So stop
 * polling it for a while, as nginx does; waiting clients stay in the
 * backlog and are taken once descriptors free up. */
#define LOOP_ACCEPT_PAUSE_US 100000
static struct loop_timer loop_accept_timer;
static int loop_fds_out; /* in an out-of-descriptors episode (journalled once) */

static void loop_accept_resume(struct loop_timer *t)
{
	(void)t;
	loop_rx_pause(loop_listener, 0);
}

static void loop_accept_pause(int err)
{
	if (!loop_fds_out)
		journal_note(0, "accept: %s; not accepting for %d ms at a time until a "
				"descriptor frees", strerror(err), LOOP_ACCEPT_PAUSE_US / 1000);
	loop_fds_out = 1;
	loop_rx_pause(loop_listener, 1);
	loop_accept_timer.real_time = 1;
	loop_timer_arm(&loop_accept_timer, LOOP_ACCEPT_PAUSE_US, loop_accept_resume);
}

static void loop_accept(void)
{
	while (loop_listener) {
		int fd = accept4(loop_listener->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			       errno == ENOMEM)) {
			loop_accept_pause(errno);
			return;
		}
		if (fd < 0)
			return; /* EAGAIN, or a transient error: poll again */
		if (loop_fds_out) {
			journal_note(0, "accept: descriptors available again");
			loop_fds_out = 0;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct loop_ep *ep = loop_ep_new(fd, LOOP_SOCKET, loop_tcp_io, NULL, 1);
		if (!ep) {
			close(fd);
			continue;
		}
		ep->user = loop_tcp_io->open(loop_tcp_arg, ep, ep, -1);
		if (!ep->user)
			loop_ep_close(ep);
	}
}

/* One read, handed up; closes ep at EOF, on an error or when rx refuses. */
static void loop_ep_read(struct loop_ep *ep)
{
	ssize_t n = read(ep->fd, loop_rbuf, LOOP_READ_MAX);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (ep->user && ep->io->rx(ep->user, loop_rbuf, (size_t)n)))
		loop_ep_close(ep);
}

static void loop_ep_write(struct loop_ep *ep)
{
	/* What the journal says about these bytes is written before them, as
	 * it was when every line was flushed on its own: a client that reads
	 * a reply (or a close) and then the journal finds its line. */
	journal_flush();
	ep->want_write = 0;
	loop_in_write = ep;
	int rc = ep->user ? ep->io->writable(ep->user) : 0;
	loop_in_write = NULL;
	if (rc) {
		loop_ep_close(ep);
		return;
	}
	if (!ep->want_write && ep->out_armed) {
		ep->out_armed = 0;
		loop_ep_update(ep);
	}
}

static void loop_dispatch(struct loop_ep *ep, uint32_t ev)
{
	if (ep->dead)
		return;
	if (ep->kind == LOOP_LISTENER) {
		loop_accept();
		return;
	}
	if (ep->rx_on && (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
		/* A reading endpoint learns of a gone peer from read(). */
		loop_ep_read(ep);
	} else if (ev & (EPOLLERR | EPOLLHUP)) {
		/* Reported whatever the mask: the peer is gone for good. */
		loop_ep_close(ep);
		return;
	}
	if (!ep->dead && (ev & EPOLLOUT)) {
		if (ep->want_write)
			loop_ep_write(ep);
		else if (ep->out_armed) {
			ep->out_armed = 0;
			loop_ep_update(ep);
		}
	}
}

/* The deferred writes of this iteration. */
static void loop_flush(void)
{
	while (loop_pend) {
		struct loop_ep *ep = loop_pend;
		loop_pend = ep->pend_next;
		if (!loop_pend)
			loop_pend_tail = NULL;
		ep->pending = 0;
		if (!ep->dead && ep->want_write && !ep->out_armed)
			loop_ep_write(ep);
	}
}

static void loop_kill_due(void)
{
	while (loop_kills) {
		struct loop_ep *ep = loop_kills;
		loop_kills = ep->kill_next;
		loop_ep_close(ep);
	}
}

/* Endpoints epoll cannot watch are always ready. */
static void loop_nopoll_run(void)
{
	for (struct loop_ep *ep = loop_all, *next; ep; ep = next) {
		next = ep->next;
		if (ep->nopoll)
			loop_dispatch(ep, (ep->rx_on ? EPOLLIN : 0) | (ep->want_write ? EPOLLOUT : 0));
	}
}

static int loop_nopoll_ready(void)
{
	for (struct loop_ep *ep = loop_nopoll ? loop_all : NULL; ep; ep = ep->next)
		if (ep->nopoll && (ep->rx_on || ep->want_write))
			return 1;
	return 0;
}

static void loop_wait(void)
{
	struct epoll_event evs[256];
	int64_t wait_ns = -1;
	if (loop_pend || loop_kills || loop_nopoll_ready()) {
		wait_ns = 0;
	} else if (loop_heap_n) {
		wait_ns = loop_heap[0]->at_ns - loop_mono_ns();
		if (wait_ns < 0)
			wait_ns = 0;
	}
	/* Before sleeping, and at least every 20 ms while busy. */
	static int64_t flushed_ns;
	int64_t now_ns = loop_mono_ns();
	if (wait_ns != 0 || now_ns - flushed_ns > 20000000) {
		journal_flush();
		flushed_ns = now_ns;
	}
	/* Milliseconds, rounded up: a timer fires late by under 1 ms, never
	 * early (poll(2) had the same grain; epoll_pwait2 is newer than some
	 * tools, valgrind 3.19 among them). */
	int n = epoll_wait(loop_epfd, evs, 256,
			   wait_ns < 0 ? -1 : (int)((wait_ns + 999999) / 1000000));
	for (int i = 0; i < n; i++) {
		struct loop_ep *ep = evs[i].data.ptr;
		if (!ep) {
			uint64_t v;
			if (read(loop_wakefd, &v, sizeof(v)) < 0)
				(void)0; /* already drained */
			continue;
		}
		loop_dispatch(ep, evs[i].events);
	}
}

void loop_run(void)
{
	while (!loop_stopping) {
		loop_wait();
		if (loop_nopoll)
			loop_nopoll_run();
		loop_timers_run();
		loop_kill_due();
		loop_flush();
		loop_kill_due();
		loop_reap();
	}
	/* Each loop_stop() ends one loop_run(): a test drives the loop in
	 * steps (a signal before the call still stops it at once). */
	loop_stopping = 0;
}

void loop_stop(void)
{
	loop_stopping = 1;
	if (loop_wakefd >= 0) {
		uint64_t one = 1;
		if (write(loop_wakefd, &one, sizeof(one)) < 0)
			(void)0; /* the counter is full: a wake-up is pending anyway */
	}
}

static void loop_on_signal(int sig)
{
	(void)sig;
	loop_stop();
}

int loop_init(void)
{
	loop_stopping = 0;
	loop_all = loop_pend = loop_pend_tail = loop_kills = loop_dead = NULL;
	loop_listener = NULL;
	loop_nopoll = 0;
	loop_fds_out = 0;
	memset(&loop_accept_timer, 0, sizeof(loop_accept_timer));
	loop_rbuf = malloc(LOOP_READ_MAX);
	loop_epfd = epoll_create1(EPOLL_CLOEXEC);
	loop_wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (!loop_rbuf || loop_epfd < 0 || loop_wakefd < 0 ||
	    epoll_ctl(loop_epfd, EPOLL_CTL_ADD, loop_wakefd, &ev)) {
		loop_fini();
		return CDPM_EIO;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, loop_on_signal);
	signal(SIGTERM, loop_on_signal);
	return 0;
}

int loop_listen(const char *addr, int port, const struct loop_io *io, const void *arg, int *bound_port)
{
	loop_tcp_io = io;
	loop_tcp_arg = arg;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return CDPM_EINVAL;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return CDPM_EIO;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	socklen_t sl = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 511) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		int e = errno;
		close(fd);
		errno = e;
		return CDPM_EIO;
	}
	*bound_port = ntohs(sa.sin_port);
	if (!(loop_listener = loop_ep_new(fd, LOOP_LISTENER, NULL, NULL, 1))) {
		close(fd);
		return CDPM_EIO;
	}
	return 0;
}

int loop_adopt_pipe(int in_fd, int out_fd, const struct loop_io *io, const void *arg, void **user)
{
	fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(out_fd, F_SETFL, fcntl(out_fd, F_GETFL) | O_NONBLOCK);
	struct loop_ep *rd = loop_ep_new(in_fd, LOOP_PIPE_IN, io, NULL, 1);
	/* We only ever write fd 4: never wake up for it being "readable". */
	struct loop_ep *wr = rd ? loop_ep_new(out_fd, LOOP_PIPE_OUT, io, NULL, 0) : NULL;
	if (!wr) {
		loop_ep_close(rd);
		return CDPM_EIO;
	}
	rd->peer = wr;
	wr->peer = rd;
	void *u = io->open(arg, rd, wr, out_fd);
	if (!u) {
		loop_ep_close(rd);
		return CDPM_ENOMEM;
	}
	/* Only the read side reports the close: the connection hears once. */
	rd->user = wr->user = u;
	*user = u;
	return 0;
}

struct loop_ep *loop_adopt_client(int fd, const struct loop_io *io, void *user)
{
	struct loop_ep *ep = loop_ep_new(fd, LOOP_SOCKET, io, user, 1);
	if (!ep)
		close(fd);
	return ep;
}

void loop_fini(void)
{
	while (loop_all)
		loop_ep_close(loop_all);
	loop_reap();
	loop_pend = loop_pend_tail = loop_kills = NULL;
	loop_heap_n = 0;
	free(loop_heap);
	loop_heap = NULL;
	loop_heap_cap = 0;
	if (loop_epfd >= 0)
		close(loop_epfd);
	if (loop_wakefd >= 0)
		close(loop_wakefd);
	loop_epfd = loop_wakefd = -1;
	free(loop_rbuf);
	loop_rbuf = NULL;
	loop_stopping = 0;
}

void loop_want_write(struct loop_ep *ep)
{
	if (!ep || ep->dead)
		return;
	if (ep == loop_in_write) {
		/* Still more to write from inside its own callback: the
		 * socket is full or a slice is done.  Poll for room. */
		ep->want_write = 1;
		if (!ep->out_armed) {
			ep->out_armed = 1;
			loop_ep_update(ep);
		}
		return;
	}
	if (ep->want_write)
		return;
	ep->want_write = 1;
	if (ep->out_armed || ep->pending)
		return;
	ep->pending = 1;
	ep->pend_next = NULL;
	if (loop_pend_tail)
		loop_pend_tail->pend_next = ep;
	else
		loop_pend = ep;
	loop_pend_tail = ep;
}

void loop_rx_pause(struct loop_ep *ep, int pause)
{
	if (!ep || ep->dead)
		return;
	ep->rx_on = !pause;
	loop_ep_update(ep);
}

int loop_fd(const struct loop_ep *ep)
{
	return ep ? ep->fd : -1;
}

void loop_kill(struct loop_ep *ep)
{
	if (!ep || ep->dead || ep->killed)
		return;
	ep->killed = 1;
	ep->kill_next = loop_kills;
	loop_kills = ep;
}
