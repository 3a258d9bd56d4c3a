/* fuzz.c - cdpconform fuzz ADAPTER_DIR --task T: a discovery run of the
 * task, then seeded cases, each a mutation plan (fuzz_gen.c) written as an
 * ordinary scenario file and run with runcase_run() in a worker process;
 * the oracles name what went wrong, new signatures are shrunk (delta
 * debugging over the plan's rules, then over their numbers) and written as
 * scenario files under --findings DIR/ADAPTER/.  See docs/fuzzing.md. */
#include "fuzz.h"

#include "conform.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"

static const char fuzz_usage[] =
    "usage: cdpconform fuzz ADAPTER_DIR --task T [options]\n"
    "  --seed N           the first case's seed (default 1); case i+1's seed follows from case i's\n"
    "  --cases N          run N cases (default 100)\n"
    "  --time S           run for S seconds instead (whichever of --cases and --time ends first)\n"
    "  -j N               cases run in parallel (default: the number of cores)\n"
    "  --findings DIR     where shrunk findings go, DIR/ADAPTER/ (default ./findings)\n"
    "  --json FILE        {\"cases\": N, \"findings\": [...]}\n"
    "  --base FILE        a scenario whose knobs (tracing, io, ...) every case starts from\n"
    "  --time-limit MS    every case's timeLimitMs (default 10000)\n"
    "  --max-steps N      rules per plan, at most (default 4)\n"
    "  --no-shrink        write findings as found\n"
    "  --no-coverage      no coverage guidance (V8 coverage of Node clients, gcov of C ones)\n"
    "  --logs DIR         case folders and plan files (default cdpconform-logs)\n"
    "  --mock PATH        the cdpmock binary\n"
    "  --progress / --no-progress\n"
    "exit status: 0 no finding, 1 findings, 2 error\n";

/* One case's verdict as the worker sends it up. */
struct fz_result {
	enum verdict verdict;
	char *check, *reason, *failed;
	uint64_t *cov; /* coverage features, when the adapter reports them */
	size_t n_cov;
};

struct finding {
	char *oracle, *signature, *scenario, *description;
	uint64_t seed;
	int from_corpus; /* the plan was a corpus plan's mutant, not seed's own */
	size_t found_steps, steps, runs;
	struct fuzz_plan plan;
	int reproduced;
};

struct fz {
	struct adapter ad;
	const char *dir; /* ADAPTER_DIR as given */
	struct opts o;
	const char *task, *findings, *json, *base_file;
	uint64_t seed;
	long cases, time_s, time_limit;
	size_t max_steps;
	int shrink;
	char *work;	/* LOGS/fuzz-ADAPTER */
	json_t *base;	/* the base scenario's knobs */
	struct fuzz_model model;
	struct finding *f;
	size_t n_f;
	size_t invalid; /* plans the mock refused (a generator bug) */
	char *first_invalid;
	int coverage;		  /* NODE_V8_COVERAGE and GCOV_PREFIX per case */
	struct fuzz_cov cov;	  /* every feature seen */
	struct fuzz_plan *corpus; /* plans that reached new code */
	FILE *cases_log;	  /* LOGS/fuzz-ADAPTER/cases.jsonl */
	size_t n_corpus, corpus_cases;
};

#define FZ_CORPUS_MAX 256

static volatile sig_atomic_t fz_stop;
static void fz_on_signal(int sig)
{
	(void)sig;
	fz_stop = 1;
}

/* A worker told to stop takes its case's adapter and mock with it. */
static void fz_worker_signal(int sig)
{
	(void)sig;
	runcase_kill_all();
	_exit(1);
}

static uint64_t fz_next_seed(uint64_t s)
{
	uint64_t z = s + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	/* 53 bits: a seed stays exact in JSON, whatever reads it */
	return (z ^ (z >> 31)) & ((1ULL << 53) - 1);
}

static void fz_result_clear(struct fz_result *r)
{
	free(r->check);
	free(r->reason);
	free(r->failed);
	free(r->cov);
	memset(r, 0, sizeof(*r));
}

/* ---- scenario files ---- */

static json_t *fz_expect(const struct fz *z, const struct fuzz_plan *p)
{
	int flags = fuzz_plan_flags(p);
	/* A plan that pads a message to hundreds of MB gives the client time
	 * to read it (FUZZ_SLOW_BYTES_PER_MS): a hang is a client that never
	 * finishes, not one whose JSON parser takes 20 s over 256 MiB. */
	long long limit = z->time_limit + fuzz_plan_bytes(p) / FUZZ_SLOW_BYTES_PER_MS;
	json_t *e = json_pack("{s:s, s:s, s:I}", "task", z->task, "exit",
			      (flags & FUZZ_BENIGN) ? "success" : "any", "timeLimitMs",
			      (json_int_t)limit);
	if (flags & FUZZ_DROPCONN)
		json_object_set_new(e, "closeStreams", json_false());
	return e;
}

/* The scenario of a plan: the base knobs, the plan's rules first (the
 * first matching rule acts), the base's rules after them. */
static json_t *fz_scenario(const struct fz *z, const struct fuzz_plan *p, const char *desc)
{
	json_t *s = json_deep_copy(z->base);
	json_t *rules = json_array();
	for (size_t i = 0; i < p->n; i++)
		json_array_append(rules, p->steps[i].rule);
	json_array_extend(rules, json_object_get(z->base, "rules"));
	json_object_set_new(s, "description", json_string(desc));
	if (json_array_size(rules))
		json_object_set_new(s, "rules", rules);
	else
		json_decref(rules);
	json_object_set_new(s, "expect", fz_expect(z, p));
	return s;
}

static int fz_write(const char *path, json_t *s)
{
	if (json_dump_file(s, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)) {
		fprintf(stderr, "cdpconform: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* ---- running one case ---- */

/* Starts a worker running the scenario at path as case name; its pid, the
 * read end of its pipe in *fd. */
static pid_t fz_start(const struct fz *z, const char *name, const char *path, int keep, int *fd)
{
	char *covdir = z->coverage ? util_printf("%s/cov-%s", z->work, name) : NULL;
	int fds[2];
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, fz_worker_signal);
		struct opts o = z->o;
		o.keep = keep;
		struct ccase c = {.adapter = &z->ad, .task = (char *)z->task};
		c.scenario = (char *)name;
		c.path = (char *)path;
		json_t *s = json_load_file(path, 0, NULL);
		c.expect = expect_merge(json_object_get(s, "expect"), z->task);
		json_decref(s);
		if (covdir) {
			/* Whichever the client reports: V8's coverage files (a
			 * Node client), or gcov's .gcda files of a client built
			 * with --coverage, written below the prefix instead of
			 * next to its objects (where cases run side by side
			 * would add up their counts). */
			util_rmtree(covdir);
			setenv("NODE_V8_COVERAGE", covdir, 1);
			setenv("GCOV_PREFIX", covdir, 1);
		}
		runcase_run(&c, &o);
		json_t *r = json_pack("{s:i, s:s?, s:s?, s:s?}", "verdict", (int)c.verdict, "check",
				      c.check, "reason", c.reason, "failed", c.failed);
		if (covdir) {
			/* The features go through a file: thousands of them would fill
			 * the pipe, which the parent reads only once the worker is
			 * gone. */
			uint64_t *f;
			size_t n = fuzz_cov_features(covdir, &f);
			char *cf = util_printf("%s.features", covdir);
			FILE *out = n ? fopen(cf, "wb") : NULL;
			if (out) {
				if (fwrite(f, sizeof(*f), n, out) == n)
					json_object_set_new(r, "cov", json_string(cf));
				fclose(out);
			}
			free(cf);
			free(f);
			util_rmtree(covdir);
		}
		char *t = json_dumps(r, JSON_COMPACT);
		for (size_t off = 0, len = t ? strlen(t) : 0; off < len;) {
			ssize_t w = write(fds[1], t + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		free(t);
		json_decref(r);
		json_decref(c.expect);
		free(c.check);
		free(c.reason);
		free(c.failed);
		free(c.log);
		free(covdir);
		_exit(0);
	}
	close(fds[1]);
	free(covdir);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	*fd = fds[0];
	return pid;
}

static void fz_collect(int fd, struct fz_result *res)
{
	struct buf b;
	char chunk[4096];
	buf_init(&b, 1 << 20);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf_add(&b, chunk, (size_t)n))
			break;
	}
	close(fd);
	json_t *r = b.data ? json_loadb(b.data, b.len, 0, NULL) : NULL;
	buf_clear(&b);
	memset(res, 0, sizeof(*res));
	if (!r) {
		res->verdict = V_FAIL;
		res->check = util_strdup("runner");
		res->reason = util_strdup("the case's worker died without a verdict");
		return;
	}
	res->verdict = (enum verdict)json_integer_value(json_object_get(r, "verdict"));
	res->check = util_strdup(json_string_value(json_object_get(r, "check")));
	res->reason = util_strdup(json_string_value(json_object_get(r, "reason")));
	res->failed = util_strdup(json_string_value(json_object_get(r, "failed")));
	const char *cf = json_string_value(json_object_get(r, "cov"));
	size_t len = 0;
	char *raw = cf ? util_read_file(cf, (size_t)1 << 30, &len) : NULL;
	if (raw && len >= sizeof(uint64_t)) {
		res->n_cov = len / sizeof(uint64_t);
		res->cov = malloc(res->n_cov * sizeof(*res->cov));
		if (!res->cov)
			exit(2);
		memcpy(res->cov, raw, res->n_cov * sizeof(*res->cov));
	}
	free(raw);
	if (cf)
		unlink(cf);
	json_decref(r);
}

/* Runs one plan to its verdict (blocking), every limit times scale. */
static void fz_run_plan(struct fz *z, const struct fuzz_plan *p, const char *name, double scale,
			struct fz_result *res)
{
	double was = z->o.time_scale;
	z->o.time_scale = scale;
	char *path = util_printf("%s/%s.json", z->work, name);
	json_t *s = fz_scenario(z, p, "cdpconform fuzz: a case");
	int fd = -1;
	pid_t pid = -1;
	if (!fz_write(path, s))
		pid = fz_start(z, name, path, 0, &fd);
	json_decref(s);
	if (pid < 0) {
		memset(res, 0, sizeof(*res));
		res->verdict = V_FAIL;
		res->check = util_strdup("runner");
		free(path);
		z->o.time_scale = was;
		return;
	}
	fz_collect(fd, res);
	waitpid(pid, NULL, 0);
	free(path);
	z->o.time_scale = was;
}

/* ---- oracles ---- */

static int fz_in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, name, n))
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/* The oracle a verdict names under a plan with these flags, and the
 * signature findings are told apart by; 0 when it is no finding (the
 * client passed, or failed only where a correct client may). */
static int fz_oracle(const struct fz_result *r, int flags, char **oracle, char **sig)
{
	*oracle = *sig = NULL;
	if (r->verdict == V_HANG) {
		*oracle = util_strdup("hang");
		*sig = util_strdup("hang: no exit within the time limit");
		return 1;
	}
	if (r->verdict == V_CRASH) {
		*oracle = util_strdup("crash");
		const char *why = r->reason ? r->reason : "";
		const char *ex = strstr(why, "uncaught exception: ");
		if (ex) {
			/* "Name: message at FRAME": the name and the frame, not the
			 * message (it quotes the input) */
			ex += strlen("uncaught exception: ");
			const char *at = NULL;
			for (const char *q = strstr(ex, " at "); q; q = strstr(q + 1, " at "))
				at = q;
			size_t nl = strcspn(ex, ":");
			*sig = util_printf("crash: %.*s at %s", (int)nl, ex, at ? at + 4 : "?");
		} else {
			*sig = util_printf("crash: %s", why);
		}
		return 1;
	}
	if (r->verdict != V_FAIL || !r->failed)
		return 0;
	static const struct {
		const char *check, *oracle;
		int lossy_ok; /* not a finding when the plan changed the data invisibly */
	} map[] = {
	    {"trace", "silent-corruption", 1},
	    {"profile", "silent-corruption", 1}, {"coverage", "silent-corruption", 1},
	    {"dataLoss", "silent-corruption", 1}, {"outputs", "silent-corruption", 1},
	    {"protocol", "silent-corruption", 1}, {"closeStreams", "leak", 0},
	    {"exit", "wrong-error", 0},	       {"send", "wrong-error", 0},
	    {"notSend", "wrong-error", 0},      {"noCommandAfter", "wrong-error", 0},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
		if (!fz_in_list(r->failed, map[i].check))
			continue;
		if (map[i].lossy_ok && (flags & FUZZ_LOSSY))
			continue;
		*oracle = util_strdup(map[i].oracle);
		*sig = util_printf("%s: %s check", map[i].oracle, map[i].check);
		return 1;
	}
	return 0;
}

/* The signature without the current folder's path, so that findings
 * read the same on every machine. */
static char *fz_relative(char *sig)
{
	char cwd[4096];
	if (!sig || !getcwd(cwd, sizeof(cwd) - 1))
		return sig;
	strcat(cwd, "/");
	size_t n = strlen(cwd);
	char *at;
	while ((at = strstr(sig, cwd)))
		memmove(at, at + n, strlen(at + n) + 1);
	return sig;
}

/* ---- findings ---- */

static struct finding *fz_find(struct fz *z, const char *sig)
{
	for (size_t i = 0; i < z->n_f; i++)
		if (!strcmp(z->f[i].signature, sig))
			return &z->f[i];
	return NULL;
}

/* Whether plan p still gives signature sig (one run, limits times scale). */
static int fz_same(struct fz *z, const struct fuzz_plan *p, const char *sig, double scale,
		   size_t *runs)
{
	struct fz_result r;
	char *o, *s;
	fz_run_plan(z, p, "shrink", scale, &r);
	(*runs)++;
	int same = fz_oracle(&r, fuzz_plan_flags(p), &o, &s) && !strcmp(fz_relative(s), sig);
	free(o);
	free(s);
	fz_result_clear(&r);
	return same;
}

/* The first of cands (in order) that still gives signature sig, or -1:
 * run -j at a time, a batch at once, limits times scale. */
static int fz_first_same(struct fz *z, struct fuzz_plan *cands, size_t n, const char *sig,
			 double scale, size_t *runs)
{
	double was = z->o.time_scale;
	int found = -1;
	z->o.time_scale = scale;
	for (size_t b = 0; b < n && found < 0 && !fz_stop; b += (size_t)z->o.jobs) {
		size_t m = n - b < (size_t)z->o.jobs ? n - b : (size_t)z->o.jobs;
		pid_t pid[64];
		int fd[64];
		for (size_t i = 0; i < m; i++) {
			char *name = util_printf("shrink-%zu", i);
			char *path = util_printf("%s/%s.json", z->work, name);
			json_t *sc = fz_scenario(z, &cands[b + i], "cdpconform fuzz: a shrink step");
			pid[i] = fz_write(path, sc) ? -1 : fz_start(z, name, path, 0, &fd[i]);
			json_decref(sc);
			free(name);
			free(path);
		}
		for (size_t i = 0; i < m; i++) {
			if (pid[i] < 0)
				continue;
			struct fz_result r;
			char *o, *sg;
			fz_collect(fd[i], &r);
			waitpid(pid[i], NULL, 0);
			(*runs)++;
			if (found < 0 && fz_oracle(&r, fuzz_plan_flags(&cands[b + i]), &o, &sg)) {
				if (!strcmp(fz_relative(sg), sig))
					found = (int)(b + i);
				free(o);
				free(sg);
			}
			fz_result_clear(&r);
		}
	}
	z->o.time_scale = was;
	return found;
}

/* Delta debugging: drop halves, then quarters, down to single rules,
 * while the signature stays; then halve the numbers of what is left.  A
 * hang is judged with twice the limit all along, so that a slow run on a
 * busy machine cannot pass for one. */
static void fz_shrink(struct fz *z, struct finding *f)
{
	struct fuzz_plan *p = &f->plan;
	double scale = strcmp(f->oracle, "hang") ? 1 : 2;
	for (size_t chunk = p->n / 2 ? p->n / 2 : 1; p->n > 1 && !fz_stop;) {
		/* every plan with one chunk of rules left out */
		size_t nc = (p->n + chunk - 1) / chunk;
		struct fuzz_plan *cands = calloc(nc, sizeof(*cands));
		if (!cands)
			exit(2);
		for (size_t c = 0; c < nc; c++) {
			unsigned char keep[64];
			for (size_t i = 0; i < p->n; i++)
				keep[i] = i < c * chunk || i >= (c + 1) * chunk;
			fuzz_plan_copy(&cands[c], p, keep);
		}
		int hit = fz_first_same(z, cands, nc, f->signature, scale, &f->runs);
		for (size_t c = 0; c < nc; c++)
			if ((int)c != hit)
				fuzz_plan_clear(&cands[c]);
		if (hit >= 0) {
			fuzz_plan_clear(p);
			*p = cands[hit];
			if (chunk > p->n / 2)
				chunk = p->n / 2 ? p->n / 2 : 1;
		} else if (chunk > 1) {
			chunk /= 2;
		} else {
			free(cands);
			break;
		}
		free(cands);
	}
	for (size_t i = 0; i < p->n && !fz_stop; i++) {
		for (int t = 0; !fz_stop;) {
			struct fuzz_step st = {0};
			int rc = fuzz_step_shrink(&p->steps[i], t, &st);
			if (rc < 0)
				break;
			if (!rc) {
				t++;
				continue;
			}
			struct fuzz_plan cand;
			fuzz_plan_copy(&cand, p, NULL);
			json_decref(cand.steps[i].rule);
			free(cand.steps[i].label);
			cand.steps[i] = st;
			if (fz_first_same(z, &cand, 1, f->signature, scale, &f->runs) == 0) {
				fuzz_plan_clear(p);
				*p = cand;
			} else {
				fuzz_plan_clear(&cand);
				t++;
			}
		}
	}
}

static unsigned long fz_hash(const char *s)
{
	unsigned long h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h & 0xffffffffUL;
}

/* Writes f as DIR/ADAPTER/ORACLE-HASH.json. */
static int fz_write_finding(struct fz *z, struct finding *f)
{
	char *dir = util_printf("%s/%s", z->findings, z->ad.name);
	if (util_mkdirs(dir)) {
		fprintf(stderr, "cdpconform: cannot create %s\n", dir);
		free(dir);
		return -1;
	}
	struct buf b;
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < f->plan.n; i++)
		buf_printf(&b, "%s%s", i ? "; " : "", f->plan.steps[i].label);
	buf_addc(&b, '\0');
	f->description = util_printf(
	    "cdpconform fuzz finding (%s): with %s the client %s during %s (%s). Found by "
	    "`cdpconform fuzz %s --task %s`%s, case seed %llu, shrunk from %zu to %zu "
	    "rule(s): %s.",
	    f->oracle, f->plan.n == 1 ? "this rule" : "these rules",
	    !strcmp(f->oracle, "crash")	      ? "crashes"
	    : !strcmp(f->oracle, "hang")      ? "never exits"
	    : !strcmp(f->oracle, "leak")      ? "leaves a stream open"
	    : !strcmp(f->oracle, "wrong-error") ? "reports a failure where none was injected"
					      : "says it succeeded with wrong data",
	    z->task, f->signature, z->dir, z->task,
	    f->from_corpus ? " (a mutant of a corpus plan)" : "", (unsigned long long)f->seed,
	    f->found_steps,
	    f->plan.n, b.data ? b.data : "");
	buf_clear(&b);
	f->scenario = util_printf("%s/%s-%08lx.json", dir, f->oracle, fz_hash(f->signature));
	json_t *s = fz_scenario(z, &f->plan, f->description);
	int rc = fz_write(f->scenario, s);
	json_decref(s);
	free(dir);
	return rc;
}


/* ---- the run ---- */

struct slot {
	pid_t pid;
	int fd;
	int64_t start; /* util_now_ms() when it started */
	uint64_t seed;
	int from_corpus;
	struct fuzz_plan plan;
};

static void fz_progress(const struct fz *z, long done, int64_t t0, int final)
{
	if (!z->o.progress)
		return;
	double el = (double)(util_now_ms() - t0) / 1000;
	fprintf(stderr, "\r\033[K[fuzz %s %s] %ld cases, %zu finding(s), %.1f cases/s", z->ad.name,
		z->task, done, z->n_f, el > 0 ? (double)done / el : 0.0);
	if (final)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static int fz_parse(int argc, char **argv, struct fz *z)
{
	const char *dir = NULL;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
#define VAL() (i + 1 < argc ? argv[++i] : (fprintf(stderr, "cdpconform: %s needs a value\n", a), exit(2), ""))
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(fuzz_usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--task")) {
			z->task = VAL();
		} else if (!strcmp(a, "--seed")) {
			z->seed = strtoull(VAL(), NULL, 10) & ((1ULL << 53) - 1);
		} else if (!strcmp(a, "--cases")) {
			z->cases = atol(VAL());
		} else if (!strcmp(a, "--time")) {
			z->time_s = atol(VAL());
		} else if (!strncmp(a, "-j", 2)) {
			z->o.jobs = atoi(a[2] ? a + 2 : VAL());
		} else if (!strcmp(a, "--findings")) {
			z->findings = VAL();
		} else if (!strcmp(a, "--json")) {
			z->json = VAL();
		} else if (!strcmp(a, "--base")) {
			z->base_file = VAL();
		} else if (!strcmp(a, "--time-limit")) {
			z->time_limit = atol(VAL());
		} else if (!strcmp(a, "--max-steps")) {
			z->max_steps = (size_t)atol(VAL());
		} else if (!strcmp(a, "--no-coverage")) {
			z->coverage = 0;
		} else if (!strcmp(a, "--no-shrink")) {
			z->shrink = 0;
		} else if (!strcmp(a, "--logs")) {
			z->o.logs = VAL();
		} else if (!strcmp(a, "--mock")) {
			z->o.mock = VAL();
		} else if (!strcmp(a, "--progress")) {
			z->o.progress = 1;
		} else if (!strcmp(a, "--no-progress")) {
			z->o.progress = 0;
		} else if (a[0] == '-' || dir) {
			fprintf(stderr, "cdpconform: fuzz: unexpected %s\n%s", a, fuzz_usage);
			return -1;
		} else {
			dir = a;
		}
#undef VAL
	}
	if (!dir || !z->task) {
		fprintf(stderr, "cdpconform: fuzz needs ADAPTER_DIR and --task\n%s", fuzz_usage);
		return -1;
	}
	if (z->o.jobs < 1 || z->o.jobs > 64 || z->max_steps < 1 || z->max_steps > 64 || z->time_limit < 100 ||
	    (z->cases < 1 && z->time_s < 1)) {
		fputs("cdpconform: fuzz: -j (1-64), --max-steps (1-64), --cases or --time, and "
		      "--time-limit (>= 100) must be positive\n",
		      stderr);
		return -1;
	}
	if (adapter_load(dir, &z->ad))
		return -1;
	z->dir = dir;
	if (z->coverage < 0)
		z->coverage = 1;
	if (!adapter_does(&z->ad, z->task)) {
		fprintf(stderr, "cdpconform: fuzz: %s does not do %s\n", z->ad.name, z->task);
		adapter_clear(&z->ad);
		return -1;
	}
	return 0;
}

/* The base scenario: --base's knobs, or a small trace read in several
 * chunks (more messages to mutate, each one small). */
static int fz_load_base(struct fz *z)
{
	if (z->base_file) {
		json_error_t err;
		z->base = json_load_file(z->base_file, 0, &err);
		if (!z->base) {
			fprintf(stderr, "cdpconform: %s: %s\n", z->base_file, err.text);
			return -1;
		}
		json_object_del(z->base, "expect");
		json_object_del(z->base, "check");
		json_object_del(z->base, "name");
	} else {
		z->base = json_pack("{s:{s:i, s:i}, s:{s:i}, s:{s:i}}", "tracing", "events", 300,
				    "chunkEvents", 60, "io", "readChunk", 8192, "profiler", "nodes",
				    40);
	}
	return 0;
}

/* One line of LOGS/fuzz-ADAPTER/cases.jsonl: the case's seed, its plan's
 * rules, its verdict and the oracle it named (or null). */
static void fz_log_case(struct fz *z, const struct fz_result *r, const struct slot *s,
			const char *oracle, const char *sig)
{
	if (!z->cases_log)
		return;
	json_t *rules = json_array();
	for (size_t i = 0; i < s->plan.n; i++)
		json_array_append_new(rules, json_string(s->plan.steps[i].label));
	json_t *l = json_pack("{s:I, s:b, s:o, s:s, s:s?, s:s?, s:I}", "seed", (json_int_t)s->seed,
			      "corpus", s->from_corpus, "rules", rules, "verdict",
			      verdict_name(r->verdict), "oracle", oracle, "signature", sig, "ms",
			      (json_int_t)(util_now_ms() - s->start));
	char *t = json_dumps(l, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (t)
		fprintf(z->cases_log, "%s\n", t);
	fflush(z->cases_log);
	free(t);
	json_decref(l);
}

static void fz_record(struct fz *z, struct fz_result *r, struct slot *s)
{
	char *oracle, *sig;
	int flags = fuzz_plan_flags(&s->plan);
	if (r->verdict == V_FAIL && r->check &&
	    (!strcmp(r->check, "mock") || !strcmp(r->check, "runner"))) {
		fz_log_case(z, r, s, NULL, NULL);
		if (!z->invalid++)
			z->first_invalid = util_printf("seed %llu: %s: %s",
						       (unsigned long long)s->seed, r->check,
						       r->reason ? r->reason : "");
		return;
	}
	int found = fz_oracle(r, flags, &oracle, &sig);
	fz_log_case(z, r, s, oracle, fz_relative(sig));
	if (!found)
		return;
	if (fz_find(z, sig)) {
		free(oracle);
		free(sig);
		return;
	}
	size_t runs = 0;
	if (!strcmp(oracle, "hang") && !fz_same(z, &s->plan, sig, 2, &runs)) {
		/* it exits given twice the time: slow, not hung (a loaded
		 * machine, or delays the plan added up) */
		free(oracle);
		free(sig);
		return;
	}
	struct finding *f = realloc(z->f, (z->n_f + 1) * sizeof(*f));
	if (!f)
		exit(2);
	z->f = f;
	f = &z->f[z->n_f++];
	memset(f, 0, sizeof(*f));
	f->oracle = oracle;
	f->signature = sig;
	f->seed = s->seed;
	f->from_corpus = s->from_corpus;
	f->found_steps = s->plan.n;
	f->runs = runs;
	fuzz_plan_copy(&f->plan, &s->plan, NULL);
}

/* A case's plan: seed's own, or, once the corpus has plans, half the
 * time a corpus plan with one step added, replaced or removed. */
static void fz_plan(struct fz *z, struct rng *r, struct slot *sl)
{
	sl->from_corpus = 0;
	if (!z->n_corpus || !rng_below(r, 2)) {
		fuzz_plan_make(&sl->plan, &z->model, r, z->max_steps);
		return;
	}
	sl->from_corpus = 1;
	const struct fuzz_plan *base = &z->corpus[rng_below(r, z->n_corpus)];
	struct fuzz_plan *p = &sl->plan;
	int op = (int)rng_below(r, 3);
	fuzz_plan_copy(p, base, NULL);
	if (op == 0 && p->n < z->max_steps) {
		struct fuzz_step *st = realloc(p->steps, (p->n + 1) * sizeof(*st));
		if (!st)
			exit(2);
		p->steps = st;
		fuzz_step_make(&z->model, r, &p->steps[p->n++]);
		return;
	}
	size_t i = rng_below(r, p->n);
	json_decref(p->steps[i].rule);
	free(p->steps[i].label);
	if (op == 2 && p->n > 1) {
		memmove(&p->steps[i], &p->steps[i + 1], (p->n - i - 1) * sizeof(*p->steps));
		p->n--;
	} else {
		fuzz_step_make(&z->model, r, &p->steps[i]);
	}
}

/* Coverage: a plan whose run reached new code goes into the corpus. */
static void fz_cover(struct fz *z, const struct fz_result *r, const struct fuzz_plan *p)
{
	if (!r->n_cov || !fuzz_cov_add(&z->cov, r->cov, r->n_cov))
		return;
	z->corpus_cases++;
	if (!p || !p->n)
		return;
	size_t at = z->n_corpus;
	if (at == FZ_CORPUS_MAX) {
		at = (size_t)(z->corpus_cases % FZ_CORPUS_MAX);
		fuzz_plan_clear(&z->corpus[at]);
	} else {
		struct fuzz_plan *c = realloc(z->corpus, (at + 1) * sizeof(*c));
		if (!c)
			exit(2);
		z->corpus = c;
		z->n_corpus++;
	}
	fuzz_plan_copy(&z->corpus[at], p, NULL);
}

static long fz_loop(struct fz *z)
{
	struct slot *sl = calloc((size_t)z->o.jobs, sizeof(*sl));
	int64_t t0 = util_now_ms();
	uint64_t seed = z->seed;
	long started = 0, done = 0;
	int running = 0;
	if (!sl)
		exit(2);
	for (;;) {
		int more = !fz_stop && (z->cases < 1 || started < z->cases) &&
			   (z->time_s < 1 || util_now_ms() - t0 < z->time_s * 1000);
		while (more && running < z->o.jobs) {
			int k = 0;
			while (sl[k].pid)
				k++;
			struct rng r;
			rng_init(&r, seed);
			fz_plan(z, &r, &sl[k]);
			sl[k].seed = seed;
			seed = fz_next_seed(seed);
			char *name = util_printf("case-%d", k);
			char *path = util_printf("%s/%s.json", z->work, name);
			json_t *s = fz_scenario(z, &sl[k].plan, "cdpconform fuzz: a case");
			pid_t pid = fz_write(path, s) ? -1 : fz_start(z, name, path, 0, &sl[k].fd);
			json_decref(s);
			free(name);
			free(path);
			started++;
			if (pid < 0) {
				fuzz_plan_clear(&sl[k].plan);
				done++;
				continue;
			}
			sl[k].pid = pid;
			sl[k].start = util_now_ms();
			running++;
			more = (z->cases < 1 || started < z->cases) &&
			       (z->time_s < 1 || util_now_ms() - t0 < z->time_s * 1000);
		}
		if (!running)
			break;
		int st;
		pid_t pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR && fz_stop)
				for (int k = 0; k < z->o.jobs; k++)
					if (sl[k].pid)
						kill(sl[k].pid, SIGTERM);
			if (errno == ECHILD)
				break;
			continue;
		}
		for (int k = 0; k < z->o.jobs; k++) {
			if (sl[k].pid != pid)
				continue;
			struct fz_result r;
			fz_collect(sl[k].fd, &r);
			if (!fz_stop) {
				fz_cover(z, &r, &sl[k].plan);
				fz_record(z, &r, &sl[k]);
			}
			fz_result_clear(&r);
			fuzz_plan_clear(&sl[k].plan);
			sl[k].pid = 0;
			running--;
			done++;
			fz_progress(z, done, t0, 0);
		}
	}
	fz_progress(z, done, t0, 1);
	free(sl);
	return done;
}

static int fz_report_json(const struct fz *z, long cases)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < z->n_f; i++) {
		const struct finding *f = &z->f[i];
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:I, s:s?}", "oracle",
						     f->oracle, "signature", f->signature,
						     "scenario", f->scenario, "seed",
						     (json_int_t)f->seed, "description",
						     f->description));
	}
	json_t *r = json_pack("{s:I, s:o}", "cases", (json_int_t)cases, "findings", arr);
	int rc = json_dump_file(r, z->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(r);
	if (rc)
		fprintf(stderr, "cdpconform: cannot write %s\n", z->json);
	return rc ? -1 : 0;
}

static void fz_table(const struct fz *z, long cases, long ms)
{
	printf("cdpconform fuzz: %s, task %s, seed %llu: %ld cases in %.1f s, %zu finding(s)\n",
	       z->ad.name, z->task, (unsigned long long)z->seed, cases, (double)ms / 1000, z->n_f);
	if (z->coverage && z->cov.n)
		printf("  coverage: %zu features; %zu plan(s) reached new code, %zu kept in the "
		       "corpus\n",
		       z->cov.n, z->corpus_cases, z->n_corpus);
	else if (z->coverage)
		printf("  coverage: none reported (the adapter left neither V8 coverage nor "
		       "gcov data: unguided)\n");
	if (z->invalid)
		printf("  warning: %zu plan(s) the mock refused (first: %s)\n", z->invalid,
		       z->first_invalid);
	if (!z->n_f)
		return;
	printf("  %-17s %-6s %-22s %-5s %s\n", "oracle", "rules", "seed", "runs", "signature / scenario");
	for (size_t i = 0; i < z->n_f; i++) {
		const struct finding *f = &z->f[i];
		char rules[32];
		snprintf(rules, sizeof(rules), "%zu>%zu", f->found_steps, f->plan.n);
		printf("  %-17s %-6s %-22llu %-5zu %s\n  %-17s %-6s %-22s %-5s %s%s\n", f->oracle,
		       rules, (unsigned long long)f->seed, f->runs, f->signature, "", "", "", "",
		       f->scenario ? f->scenario : "(not written)",
		       f->reproduced ? "" : "  (did not reproduce on a last run)");
	}
}

int fuzz_main(int argc, char **argv)
{
	struct fz z = {.seed = 1,
		       .cases = 0,
		       .time_limit = 10000,
		       .max_steps = 4,
		       .shrink = 1,
		       .coverage = -1,
		       .findings = "findings"};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	z.o = (struct opts){.logs = "cdpconform-logs",
			    .shard_k = 1,
			    .shard_n = 1,
			    .seed = 1,
			    .time_scale = 1,
			    .progress = isatty(2),
			    .jobs = cores > 0 ? (int)cores : 1};
	if (fz_parse(argc, argv, &z))
		return 2;
	if (!z.cases && !z.time_s)
		z.cases = 100;
	int rc = 2;
	char *mock = NULL;
	char logs[4096];
	if (util_mkdirs(z.o.logs) || !realpath(z.o.logs, logs)) {
		fprintf(stderr, "cdpconform: cannot create %s\n", z.o.logs);
		goto out;
	}
	z.o.logs = logs;
	z.work = util_printf("%s/fuzz-%s", logs, z.ad.name);
	util_rmtree(z.work);
	if (util_mkdirs(z.work) || fz_load_base(&z))
		goto out;
	char *cl = util_printf("%s/cases.jsonl", z.work);
	z.cases_log = fopen(cl, "w");
	free(cl);
	mock = z.o.mock ? util_strdup(z.o.mock) : util_find_mock();
	z.o.mock = mock;
	struct sigaction sa = {0};
	sa.sa_handler = fz_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Discovery: the task unmutated, twice, the journals kept for the
	 * templates and to see which messages carry data generated anew. */
	int64_t t0 = util_now_ms();
	struct fuzz_plan empty = {0};
	struct fz_result dr = {0};
	for (int d = 0; d < 2; d++) {
		const char *dn = d ? "discovery-2" : "discovery";
		char *dpath = util_printf("%s/%s.json", z.work, dn);
		json_t *ds = fz_scenario(&z, &empty, "cdpconform fuzz: the discovery run");
		int fd = -1;
		pid_t pid = fz_write(dpath, ds) ? -1 : fz_start(&z, dn, dpath, 1, &fd);
		json_decref(ds);
		free(dpath);
		if (pid < 0)
			goto out;
		fz_result_clear(&dr);
		fz_collect(fd, &dr);
		waitpid(pid, NULL, 0);
		fz_cover(&z, &dr, NULL); /* the unmutated task's code is not new */
	}
	z.corpus_cases = 0;
	if (dr.verdict != V_PASS)
		fprintf(stderr,
			"cdpconform: fuzz: %s fails %s unmutated (%s: %s); its findings may be that "
			"failure\n",
			z.ad.name, z.task, dr.check ? dr.check : "?", dr.reason ? dr.reason : "");
	fz_result_clear(&dr);
	char *journal = util_printf("%s/%s/discovery/%s/journal.jsonl", logs, z.ad.name, z.task);
	char *journal2 = util_printf("%s/%s/discovery-2/%s/journal.jsonl", logs, z.ad.name, z.task);
	int mrc = fuzz_model_load(&z.model, journal) || fuzz_model_compare(&z.model, journal2);
	free(journal);
	free(journal2);
	if (mrc)
		goto out;
	z.model.time_limit_ms = z.time_limit;

	long cases = fz_loop(&z);
	for (size_t i = 0; i < z.n_f && !fz_stop; i++) {
		struct finding *f = &z.f[i];
		if (z.o.progress)
			fprintf(stderr, "\r\033[Kshrinking %s (%zu rules)...", f->signature,
				f->plan.n);
		if (z.shrink)
			fz_shrink(&z, f);
		/* a hang must outlast twice the limit: a slow machine is no hang */
		f->reproduced = fz_same(&z, &f->plan, f->signature,
					strcmp(f->oracle, "hang") ? 1 : 2, &f->runs);
		fz_write_finding(&z, f);
	}
	if (z.o.progress)
		fputs("\r\033[K", stderr);
	fz_table(&z, cases, (long)(util_now_ms() - t0));
	rc = z.n_f ? 1 : 0;
	if (z.json && fz_report_json(&z, cases))
		rc = 2;
	if (fz_stop)
		rc = rc ? rc : 1;
out:
	for (size_t i = 0; i < z.n_f; i++) {
		free(z.f[i].oracle);
		free(z.f[i].signature);
		free(z.f[i].scenario);
		free(z.f[i].description);
		fuzz_plan_clear(&z.f[i].plan);
	}
	free(z.f);
	free(z.first_invalid);
	for (size_t i = 0; i < z.n_corpus; i++)
		fuzz_plan_clear(&z.corpus[i]);
	free(z.corpus);
	fuzz_cov_clear(&z.cov);
	fuzz_model_clear(&z.model);
	if (z.cases_log)
		fclose(z.cases_log);
	json_decref(z.base);
	free(z.work);
	free(mock);
	adapter_clear(&z.ad);
	return rc;
}
