/* conform.h - what the parts of cdpconform share: an adapter, a case (an
 * adapter, a scenario and a task), its outcome, and the run's options.
 * The runner talks to cdpmock only through its command line, its files
 * (DevToolsActivePort, the journal) and the wire; see docs/judging.md. */
#ifndef CONFORM_H
#define CONFORM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFORM_MAX_TASKS 16

/* An adapter folder's adapter.json. */
struct adapter {
	char *dir;	  /* absolute path of the folder */
	char *name;	  /* "name" */
	char *version;	  /* "version" ("" when absent) */
	char **run;	  /* "run": argv, NULL-terminated */
	char **tasks;	  /* "tasks", NULL-terminated */
	json_t *baseline; /* its baseline's "cases" ({"SCENARIO TASK": entry}), or NULL */
};

enum verdict { V_PASS, V_FAIL, V_HANG, V_CRASH, V_KNOWN_FAIL, V_SKIP };

/* One case and, once run, its outcome. */
struct ccase {
	const struct adapter *adapter; /* borrowed from the run */
	char *scenario;		       /* name: "tracing/complete-never" */
	char *path;		       /* the scenario file */
	char *task;
	json_t *expect; /* the merged expectation (defaults + scenario) */
	/* outcome */
	enum verdict verdict;
	char *check;	   /* first failed check, or NULL */
	char *reason;	   /* one line, or NULL */
	char *failed;	   /* every failed check, comma-separated, or NULL */
	char *log;	   /* the case's log folder (kept only for failures), or NULL */
	char *expected;	   /* the baseline's outcome for it ("pass", "hang", "crash",
			    * "fail:CHECK"), or NULL when the baseline does not list it */
	char *description; /* the scenario's "description", or NULL */
	long ms;
};

struct opts {
	const char *mock;    /* the cdpmock binary */
	const char *browser; /* --browser: a real Chromium instead of cdpmock, or NULL */
	const char *logs;    /* where case folders go */
	const char *tap;     /* NULL: stdout */
	const char *junit, *json, *html;
	const char *task;	      /* --task */
	const char *only;	      /* --only */
	const char *baselines;	      /* --baselines DIR: DIR/NAME.json per adapter */
	const char *update_baselines; /* --update-baselines DIR */
	const char *markdown;	      /* --markdown FILE */
	int published;		      /* --published: reports without times, log links or paths */
	int jobs;
	int shard_k, shard_n; /* --shard K/N; 1/1 by default */
	int progress;	      /* live progress on stderr */
	int keep;	      /* --keep-logs: keep passing cases' logs too */
	int merge;	      /* --merge: the operands are JSON reports */
	uint64_t seed;
	double time_scale; /* every time limit times this */
};

/* verdict_name() - "pass", "fail", "hang", "crash", "known-fail", "skip". */
const char *verdict_name(enum verdict v);

/* ---- adapter.c ---- */
/* adapter_load() - reads DIR/adapter.json.  0, or -1 with a one-line
 * reason on stderr. */
int adapter_load(const char *dir, struct adapter *a);
void adapter_clear(struct adapter *a);
/* adapter_does() - whether the adapter declares task. */
int adapter_does(const struct adapter *a, const char *task);

/* ---- baseline.c ---- */
/* baseline_load() - reads DIR/NAME.json (NAME the adapter's name) into
 * a->baseline; no file is no baseline.  0, or -1 with a line on stderr
 * when the file is malformed. */
int baseline_load(struct adapter *a, const char *dir);
/* baseline_apply() - compares c's outcome with its adapter's baseline and
 * sets c->expected: a failure the baseline expects becomes a known-fail;
 * a pass where it expects a failure fails (check "baseline"); a failure
 * of another kind stays, its reason saying what the baseline expected. */
void baseline_apply(struct ccase *c);
/* baseline_reset() - undoes baseline_apply() on a case read back from a
 * JSON report: its verdict and reason as the judge gave them. */
void baseline_reset(struct ccase *c);
/* baseline_outcome() - what c actually did: "pass", "hang", "crash" or
 * "fail:CHECK", also once baseline_apply() ran; NULL for a skip.  A heap
 * string. */
char *baseline_outcome(const struct ccase *c);
/* baseline_write() - DIR/NAME.json for each adapter of cases, from their
 * outcomes; entries of cases not among them are kept, and so is an entry's
 * "why" while its outcome stays.  0 or -1. */
int baseline_write(const char *dir, const struct ccase *cases, size_t n);

/* ---- explain.c ---- */
/* explain_case() - for a case that did not pass, one line: what the client
 * does wrong and what its user sees ("" for a pass).  A heap string. */
char *explain_case(const struct ccase *c);

/* ---- suite.c ---- */
struct suite {
	struct ccase *cases;
	size_t n, alloc;
};
/* suite_build() - the cases of every scenario under the paths (folders
 * are walked for *.json, files taken as they are, other strings globbed)
 * that declare a task, times every adapter, filtered by o->task, o->only
 * and o->shard.  With o->browser the paths are not read: one case per
 * adapter and task, scenario "browser/NAME" (NAME the browser binary's
 * base name), with the task's default expectation.  0 or -1 with a
 * reason on stderr. */
int suite_build(struct suite *s, const char *const *paths, size_t n_paths,
		const struct adapter *adapters, size_t n_adapters, const struct opts *o);
void suite_clear(struct suite *s);

/* ---- expect.c ---- */
/* expect_merge() - the expectation for task: the task's defaults, then the
 * scenario's keys, then its byTask.TASK keys.  A new reference. */
json_t *expect_merge(const json_t *scenario_expect, const char *task);
/* expect_tasks() - the tasks of a scenario: those whose defaults name it
 * (by its name, in "onScenarios"; none when scenario is NULL), then those
 * its expect declares (a borrowed or static string each, into out); their
 * count. */
size_t expect_tasks(const json_t *scenario_expect, const char *scenario, const char **out,
		    size_t max);
/* expect_known_tasks() - every task that has defaults, in a fixed order (a
 * static string each, into out); their count. */
size_t expect_known_tasks(const char **out, size_t max);
/* expect_time_limit_ms() - the case's time limit. */
long expect_time_limit_ms(const json_t *expect);

/* ---- runcase.c ---- */
/* runcase_run() - runs c (its mock, its adapter) and judges it; fills c's
 * outcome.  Never blocks past the case's time limit plus a grace. */
void runcase_run(struct ccase *c, const struct opts *o);
/* runcase_kill_all() - from a signal handler: kills the current case's
 * adapter group and mock. */
void runcase_kill_all(void);

/* ---- judge.c ---- */
/* What a case produced, for judge_case(). */
struct outcome {
	const char *dir;     /* the case folder */
	const char *out_dir; /* CDP_OUT */
	const char *journal; /* the mock's journal file */
	int browser;	     /* a real browser ran the case: no journal, no digests */
	const char *stderr_path;
	int exited;		/* the adapter exited (not killed by the runner) */
	int status;		/* its exit status when exited */
	int signal;		/* the signal that ended it, or 0 */
	int timed_out;		/* the runner killed it at the time limit */
	long ms;		/* wall time of the adapter */
	long limit_ms;		/* the case's time limit (scaled) */
	const char *mock_error; /* the mock could not start, or NULL */
	int launched_left;	/* a browser the adapter launched outlived it */
};
/* judge_case() - runs every check on what c's adapter did; sets verdict,
 * check, reason and failed. */
void judge_case(struct ccase *c, const struct outcome *out);

/* ---- report.c, report_html.c ---- */
/* report_tap_plan() - "TAP version 14" and the plan line for n cases. */
void report_tap_plan(FILE *f, size_t n);
/* report_tap_case() - test point num for c: "ok"/"not ok", SKIP and TODO
 * (known-fail) directives, and a YAML block for every case that did not
 * pass.  Flushes f, so that TAP streams while the run goes on. */
void report_tap_case(FILE *f, size_t num, const struct ccase *c);
/* report_json(), report_junit(), report_html() - write the cases (in the
 * given order) and the run's wall time ms to file.  0, or -1 with a line
 * on stderr when the file cannot be written.  Formats: docs/adapters.md. */
int report_json(const char *file, const struct ccase *cases, size_t n, long ms);
/* report_all() - every report file o asks for (--json, --junit, --html,
 * --markdown) and the baselines of --update-baselines.  0, or -1 when one
 * could not be written. */
int report_all(const struct opts *o, const struct ccase *cases, size_t n, long ms);
int report_junit(const char *file, const struct ccase *cases, size_t n, long ms);
/* report_escape() - writes s to f with <, >, & and " as entities, for the
 * JUnit and HTML reports; drop_controls leaves out the control characters
 * XML cannot carry (all but tab and newline). */
void report_escape(FILE *f, const char *s, int drop_controls);
/* With published set, the HTML leaves out times, paths and log links, so
 * that the same run writes the same page (docs/conformance.html). */
int report_html(const char *file, const struct ccase *cases, size_t n, long ms, int published);
/* report_markdown() - the published matrix (docs/judging.md): the
 * adapters and their versions, the adapter x case matrix, one line per
 * failure from explain_case(), and the control run against a real browser
 * (scenarios "browser/NAME") apart.  No times or paths: reproducible. */
int report_markdown(const char *file, const struct ccase *cases, size_t n);
/* report_stable_text() - s without what changes from machine to machine or
 * run to run (ports, ids, the folder of node_modules).  A heap string. */
char *report_stable_text(const char *s);

/* ---- merge.c ---- */
/* merge_run() - cdpconform --merge: reads the JSON reports in files and
 * writes the reports o asks for (TAP to o->tap or stdout).  The exit
 * status: 0, 1 (some case failed) or 2 (a report could not be read or
 * written). */
int merge_run(char **files, size_t n_files, const struct opts *o);

/* ---- small helpers (util.c) ---- */
char *util_strdup(const char *s);
char *util_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* util_find_mock() - the default cdpmock (malloc'd): $CDPMOCK_BIN, else the
 * one beside this binary (build/cdpconform next to build/cdpmock), else
 * PATH's. */
char *util_find_mock(void);
int64_t util_now_ms(void);
/* util_rmtree() - removes a folder and what it holds; 0 or -1. */
int util_rmtree(const char *path);
/* util_mkdirs() - mkdir -p. 0 or -1. */
int util_mkdirs(const char *path);
/* util_read_file() - the whole file (at most cap bytes) as a NUL-terminated
 * heap string; *len its length.  NULL when it cannot be read. */
char *util_read_file(const char *path, size_t cap, size_t *len);

#endif
