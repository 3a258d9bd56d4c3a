/* test_fdlimit.c - the server at its descriptor limit: it must not spin on
 * a listening socket it cannot accept from, it must say so in the journal,
 * and it must serve waiting clients once descriptors free up. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

static int fdlimit_count_fds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* utime + stime of pid, in clock ticks. */
static long fdlimit_cpu_ticks(pid_t pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	/* Fields after the ")" that ends the command name: 3 is state, 14 and
	 * 15 are utime and stime. */
	const char *p = strrchr(line, ')');
	long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st) != 2)
		return -1;
	return ut + st;
}

START_TEST(out_of_descriptors_pauses_accept_and_recovers)
{
	/* valgrind keeps descriptors of its own near the limit. */
	if (getenv("CDPMOCK_WRAP"))
		return;
	struct fx_server srv;
	char dir[] = "/tmp/cdpmock-fdlimit-XXXXXX", jflag[300], jpath[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(jpath, sizeof(jpath), "%s/journal.jsonl", dir);
	snprintf(jflag, sizeof(jflag), "--journal=%s", jpath);
	const char *const args[] = {jflag, NULL};
	ck_assert_int_eq(fx_try_start(&srv, args), 0);
	/* Room for two more descriptors, then none. */
	int used = fdlimit_count_fds(srv.pid);
	ck_assert_int_gt(used, 0);
	struct rlimit rl = {(rlim_t)used + 2, (rlim_t)used + 2};
	struct rlimit old;
	ck_assert_int_eq(prlimit(srv.pid, RLIMIT_NOFILE, NULL, &old), 0);
	rl.rlim_max = old.rlim_max;
	ck_assert_int_eq(prlimit(srv.pid, RLIMIT_NOFILE, &rl, NULL), 0);
	int fds[8];
	for (int i = 0; i < 8; i++) {
		fds[i] = fx_tcp(&srv);
		ck_assert_int_ge(fds[i], 0);
	}
	usleep(200000);
	/* Six clients wait in the backlog: the server must sleep, not spin. */
	long t0 = fdlimit_cpu_ticks(srv.pid);
	usleep(1000000);
	long ticks = fdlimit_cpu_ticks(srv.pid) - t0;
	long hz = sysconf(_SC_CLK_TCK);
	ck_assert_msg(ticks < hz / 10,
		      "the server used %ld of %ld ticks in a second at its descriptor limit",
		      ticks, hz);
	/* Free descriptors: the waiting clients get served. */
	struct buf resp;
	buf_init(&resp, 0);
	ck_assert_int_eq(prlimit(srv.pid, RLIMIT_NOFILE, &old, NULL), 0);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
	char req[256];
	snprintf(req, sizeof(req), "GET /json/version HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
		 srv.port);
	ck_assert_int_eq(fx_http_once(&srv, req, &resp), 0);
	ck_assert_int_eq(strncmp(resp.data, "HTTP/1.1 200 OK\r\n", 17), 0);
	ck_assert_int_eq(fx_stop_status(&srv), 0);
	/* The journal says what happened. */
	FILE *f = fopen(jpath, "r");
	ck_assert_ptr_nonnull(f);
	char line[2048];
	int paused = 0, again = 0;
	while (fgets(line, sizeof(line), f)) {
		if (getenv("FDLIMIT_DEBUG"))
			fputs(line, stderr);
		paused += strstr(line, "accept: Too many open files") != NULL;
		again += strstr(line, "accept: descriptors available again") != NULL;
	}
	fclose(f);
	/* Once per episode (an episode ends when an accept4() gets through,
	 * which a descriptor freed by the server itself may allow), not once
	 * per failed accept4(): a second is fine, twelve are not. */
	ck_assert_msg(paused >= 1 && paused <= 3, "paused %d times", paused);
	ck_assert_int_ge(again, 1);
	unlink(jpath);
	rmdir(dir);
	buf_clear(&resp);
}
END_TEST

Suite *fdlimit_suite(void);
Suite *fdlimit_suite(void)
{
	Suite *s = suite_create("fdlimit");
	TCase *tc = tcase_create("emfile");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, out_of_descriptors_pauses_accept_and_recovers);
	suite_add_tcase(s, tc);
	return s;
}
