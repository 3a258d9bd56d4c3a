/* main.c - cdpconform: runs client adapters against the scenario library
 * and judges every case (see cdpconform(1), docs/adapters.md and
 * docs/judging.md).  This file owns the command line, the pool of
 * worker processes (one per running case) and the reports. */
#include "conform.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz.h"
#include "scenlib.h"

static const char usage[] =
    "usage: cdpconform [options] ADAPTER_DIR...\n"
    "       cdpconform fuzz ADAPTER_DIR --task T [options]   (cdpconform fuzz --help)\n"
    "       cdpconform --merge [--json F] [--junit F] [--html F] [--markdown F] [--tap F]\n"
    "                  [--published] [--baselines DIR] [--update-baselines DIR] REPORT.json...\n"
    "  --scenarios PATH|GLOB   scenario files or folders (repeatable; default ./scenarios,\n"
    "                          else the installed library)\n"
    "  --task T                only this task\n"
    "  --only KEYWORD          only scenarios whose name contains KEYWORD (or task/adapter T)\n"
    "  -j N                    cases run in parallel (default: the number of cores)\n"
    "  --shard K/N             run the Kth of N slices of the cases\n"
    "  --baselines DIR         compare each case with DIR/ADAPTER.json, the adapter's\n"
    "                          recorded outcomes (a change either way fails the run)\n"
    "  --update-baselines DIR  write DIR/ADAPTER.json from this run's outcomes\n"
    "  --junit FILE            JUnit XML report\n"
    "  --json FILE             JSON report\n"
    "  --html FILE             HTML adapter x scenario matrix\n"
    "  --markdown FILE         the matrix in Markdown, one line per failure\n"
    "  --published             no times, paths or log links in the HTML (reproducible)\n"
    "  --tap FILE              TAP to FILE instead of stdout\n"
    "  --logs DIR              where failed cases keep their logs (default cdpconform-logs)\n"
    "  --keep-logs             keep the logs of passing cases too\n"
    "  --mock PATH             the cdpmock binary (default: $CDPMOCK_BIN, next to cdpconform,\n"
    "                          or cdpmock on PATH)\n"
    "  --browser PATH          run every task once per adapter against this real Chromium\n"
    "                          instead of cdpmock (scenarios do not apply)\n"
    "  --seed N                cdpmock's seed (default 1)\n"
    "  --time-scale F          multiply every time limit by F (slow machines, valgrind)\n"
    "  --progress / --no-progress   live progress on stderr (default: when it is a terminal)\n"
    "  --merge                 the operands are JSON reports (of --shard runs): merge them\n"
    "  --help, --version\n"
    "exit status: 0 when every case passes, is a known-fail or is skipped; 1 otherwise;\n"
    "2 for a usage error\n";

/* A worker: the process running one case, and the pipe its result comes
 * back through. */
struct worker {
	pid_t pid;
	int fd;
	size_t index;
};

static volatile sig_atomic_t main_stop;

static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

static void main_worker_signal(int sig)
{
	(void)sig;
	runcase_kill_all();
	_exit(1);
}

static const char *main_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "cdpconform: %s needs a value\n%s", argv[*i], usage);
		exit(2);
	}
	return argv[++*i];
}

/* The worker's side: run the case, send its outcome up as one JSON text. */
static void main_worker(struct ccase *c, const struct opts *o, int fd)
{
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, main_worker_signal);
	runcase_run(c, o);
	json_t *r = json_pack("{s:i, s:s?, s:s?, s:s?, s:s?, s:I}", "verdict", (int)c->verdict,
			      "check", c->check, "reason", c->reason, "failed", c->failed, "log",
			      c->log, "ms", (json_int_t)c->ms);
	char *s = json_dumps(r, JSON_COMPACT);
	for (size_t off = 0, len = s ? strlen(s) : 0; off < len;) {
		ssize_t w = write(fd, s + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(s);
	json_decref(r);
	_exit(0);
}

static void main_collect(struct ccase *c, int fd)
{
	struct buf b;
	char chunk[4096];
	buf_init(&b, 1 << 20);
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || buf_add(&b, chunk, (size_t)r))
			break;
	}
	json_t *r = b.data ? json_loadb(b.data, b.len, 0, NULL) : NULL;
	buf_clear(&b);
	if (!r) {
		c->verdict = V_FAIL;
		c->check = util_strdup("runner");
		c->reason = util_strdup("the case's worker died without a verdict");
		return;
	}
	c->verdict = (enum verdict)json_integer_value(json_object_get(r, "verdict"));
	c->check = util_strdup(json_string_value(json_object_get(r, "check")));
	c->reason = util_strdup(json_string_value(json_object_get(r, "reason")));
	c->failed = util_strdup(json_string_value(json_object_get(r, "failed")));
	c->log = util_strdup(json_string_value(json_object_get(r, "log")));
	c->ms = (long)json_integer_value(json_object_get(r, "ms"));
	json_decref(r);
}

static void main_progress(size_t done, size_t total, size_t failed, int64_t t0)
{
	int64_t el = util_now_ms() - t0;
	long left = done ? (long)(el * (int64_t)(total - done) / (int64_t)done / 1000) : 0;
	fprintf(stderr, "\r\033[K[%zu/%zu] %zu failed, about %ldm%02lds left", done, total, failed,
		left / 60, left % 60);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static int main_failed(const struct ccase *c)
{
	return c->verdict == V_FAIL || c->verdict == V_HANG || c->verdict == V_CRASH;
}

/* The run's state: the workers, and how far the cases have got. */
struct pool {
	struct suite *s;
	const struct opts *o;
	FILE *tap;
	struct worker *w;
	size_t next, done, failed, running, num;
	int64_t t0;
};

/* A case has its verdict: baseline, TAP line, progress. */
static void main_finish(struct pool *p, struct ccase *c)
{
	baseline_apply(c);
	p->failed += main_failed(c);
	report_tap_case(p->tap, ++p->num, c);
	p->done++;
	if (p->o->progress)
		main_progress(p->done, p->s->n, p->failed, p->t0);
}

/* Starts the next case in a worker (or skips it). */
static void main_launch(struct pool *p)
{
	struct ccase *c = &p->s->cases[p->next];
	size_t index = p->next++;
	if (!adapter_does(c->adapter, c->task)) {
		c->verdict = V_SKIP;
		main_finish(p, c);
		return;
	}
	int fds[2];
	pid_t pid = -1;
	if (!pipe(fds) && (pid = fork()) == 0) {
		close(fds[0]);
		main_worker(c, p->o, fds[1]);
	}
	if (pid < 0) {
		c->verdict = V_FAIL;
		c->check = util_strdup("runner");
		c->reason = util_printf("cannot start a worker: %s", strerror(errno));
		main_finish(p, c);
		return;
	}
	close(fds[1]);
	size_t k = 0;
	while (p->w[k].pid)
		k++;
	p->w[k] = (struct worker){pid, fds[0], index};
	p->running++;
}

/* Worker pid has ended: its case's verdict. */
static void main_reap(struct pool *p, pid_t pid)
{
	for (int k = 0; k < p->o->jobs; k++) {
		if (p->w[k].pid != pid)
			continue;
		struct ccase *c = &p->s->cases[p->w[k].index];
		main_collect(c, p->w[k].fd);
		close(p->w[k].fd);
		p->w[k].pid = 0;
		p->running--;
		if (main_stop && c->check && !strcmp(c->check, "runner")) {
			/* killed by the interrupt: neither a pass nor a failure */
			free(c->check);
			free(c->reason);
			c->check = NULL;
			c->verdict = V_SKIP;
			c->reason = util_strdup("not finished: the run was interrupted");
		}
		main_finish(p, c);
	}
}

/* Runs every case with at most o->jobs at once; TAP lines as they end. */
static void main_run(struct suite *s, const struct opts *o, FILE *tap)
{
	struct pool p = {.s = s, .o = o, .tap = tap, .t0 = util_now_ms()};
	p.w = calloc((size_t)o->jobs, sizeof(*p.w));
	report_tap_plan(tap, s->n);
	while (p.w && (p.next < s->n || p.running)) {
		while (!main_stop && p.next < s->n && p.running < (size_t)o->jobs)
			main_launch(&p);
		if (!p.running)
			break;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid >= 0) {
			main_reap(&p, pid);
		} else if (errno == EINTR && main_stop) {
			for (int k = 0; k < o->jobs; k++)
				if (p.w[k].pid)
					kill(p.w[k].pid, SIGTERM);
		}
	}
	/* Interrupted: what never ran is reported as such, never as a pass. */
	for (; p.next < s->n; p.next++) {
		struct ccase *c = &s->cases[p.next];
		c->verdict = V_SKIP;
		if (adapter_does(c->adapter, c->task))
			c->reason = util_strdup("not run: the run was interrupted");
		report_tap_case(tap, ++p.num, c);
	}
	free(p.w);
}

static int main_parse(int argc, char **argv, struct opts *o, const char **scen, size_t *n_scen,
		      const char **dirs, size_t *n_dirs)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			puts("cdpconform 0.1");
			exit(0);
		} else if (!strcmp(a, "--scenarios")) {
			scen[(*n_scen)++] = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--task")) {
			o->task = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--only")) {
			o->only = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "-j") || !strncmp(a, "-j", 2)) {
			o->jobs = atoi(a[2] ? a + 2 : main_arg(argc, argv, &i));
		} else if (!strcmp(a, "--shard")) {
			if (sscanf(main_arg(argc, argv, &i), "%d/%d", &o->shard_k, &o->shard_n) !=
				2 ||
			    o->shard_n < 1 || o->shard_k < 1 || o->shard_k > o->shard_n) {
				fprintf(stderr, "cdpconform: --shard takes K/N with 1 <= K <= N\n");
				return -1;
			}
		} else if (!strcmp(a, "--baselines")) {
			o->baselines = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--update-baselines")) {
			o->update_baselines = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--markdown")) {
			o->markdown = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--published")) {
			o->published = 1;
		} else if (!strcmp(a, "--junit")) {
			o->junit = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--json")) {
			o->json = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--html")) {
			o->html = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--tap")) {
			o->tap = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--logs")) {
			o->logs = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--keep-logs")) {
			o->keep = 1;
		} else if (!strcmp(a, "--mock")) {
			o->mock = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--browser")) {
			o->browser = main_arg(argc, argv, &i);
		} else if (!strcmp(a, "--seed")) {
			o->seed = strtoull(main_arg(argc, argv, &i), NULL, 10);
		} else if (!strcmp(a, "--time-scale")) {
			o->time_scale = atof(main_arg(argc, argv, &i));
		} else if (!strcmp(a, "--progress")) {
			o->progress = 1;
		} else if (!strcmp(a, "--no-progress")) {
			o->progress = 0;
		} else if (!strcmp(a, "--merge")) {
			o->merge = 1;
		} else if (a[0] == '-') {
			fprintf(stderr, "cdpconform: unknown option %s\n%s", a, usage);
			return -1;
		} else {
			dirs[(*n_dirs)++] = a;
		}
		if (*n_scen >= 64 || *n_dirs >= 64) {
			fputs("cdpconform: at most 64 adapters and 64 scenario paths\n", stderr);
			return -1;
		}
	}
	if (!*n_dirs) {
		fprintf(stderr, "cdpconform: no adapter folder given\n%s", usage);
		return -1;
	}
	if (o->jobs < 1 || o->time_scale <= 0) {
		fputs("cdpconform: -j and --time-scale must be positive\n", stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.logs = "cdpconform-logs",
			 .shard_k = 1,
			 .shard_n = 1,
			 .seed = 1,
			 .time_scale = 1,
			 .progress = isatty(2)};
	const char *scen[64], *dirs[64];
	size_t n_scen = 0, n_dirs = 0;
	if (argc > 1 && !strcmp(argv[1], "fuzz"))
		return fuzz_main(argc, argv);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = cores > 0 ? (int)cores : 1;
	if (main_parse(argc, argv, &o, scen, &n_scen, dirs, &n_dirs))
		return 2;
	if (o.merge)
		return merge_run((char **)dirs, n_dirs, &o);
	/* By default ./scenarios (a checkout), else the library cdpmock itself
	 * finds (an installation: PREFIX/share/cdpmock/scenarios). */
	char *libdir = NULL;
	struct stat st;
	if (!n_scen && stat("scenarios", &st) && (libdir = scenlib_dir()))
		scen[n_scen++] = libdir;
	if (!n_scen)
		scen[n_scen++] = "scenarios";
	struct adapter adapters[64];
	size_t n_ad = 0;
	int rc = 2;
	for (; n_ad < n_dirs; n_ad++) {
		if (adapter_load(dirs[n_ad], &adapters[n_ad]))
			goto out;
		if (o.baselines && baseline_load(&adapters[n_ad], o.baselines)) {
			adapter_clear(&adapters[n_ad]);
			goto out;
		}
	}
	char logs[PATH_MAX];
	if (util_mkdirs(o.logs) || !realpath(o.logs, logs)) {
		fprintf(stderr, "cdpconform: cannot create %s\n", o.logs);
		goto out;
	}
	o.logs = logs;
	char *mock = o.mock ? util_strdup(o.mock) : util_find_mock();
	o.mock = mock;
	struct suite s;
	if (suite_build(&s, scen, n_scen, adapters, n_ad, &o)) {
		free(mock);
		goto out;
	}
	FILE *tap = o.tap ? fopen(o.tap, "w") : stdout;
	if (!tap) {
		fprintf(stderr, "cdpconform: cannot write %s\n", o.tap);
		tap = stdout;
	}
	struct sigaction sa = {0};
	sa.sa_handler = main_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int64_t t0 = util_now_ms();
	main_run(&s, &o, tap);
	long ms = (long)(util_now_ms() - t0);
	size_t failed = 0;
	for (size_t i = 0; i < s.n; i++)
		failed += main_failed(&s.cases[i]);
	fprintf(tap, "# %zu cases, %zu failed, %.1f s\n", s.n, failed, (double)ms / 1000);
	if (tap != stdout)
		fclose(tap);
	rc = failed || main_stop ? 1 : 0;
	if (report_all(&o, s.cases, s.n, ms))
		rc = 2;
	suite_clear(&s);
	free(mock);
out:
	for (size_t i = 0; i < n_ad; i++)
		adapter_clear(&adapters[i]);
	free(libdir);
	return rc;
}
