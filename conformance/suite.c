/* suite.c - which cases a run has: every scenario file under the given
 * paths that declares a task (or, against a real browser, every task),
 * times every adapter, in a stable order
 * (scenario path, task, adapter) so that --shard splits the same way on
 * every machine.  Scenario files are read with jansson for their "expect"
 * only; cdpmock itself validates them when it loads them. */
#include "conform.h"

#include <dirent.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct paths {
	char **v;
	size_t n, alloc;
};

static void paths_add(struct paths *p, const char *s)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 64;
		p->v = realloc(p->v, p->alloc * sizeof(*p->v));
		if (!p->v) {
			fputs("cdpconform: out of memory\n", stderr);
			exit(2);
		}
	}
	p->v[p->n++] = util_strdup(s);
}

static int suite_is_json(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && !strcmp(name + n - 5, ".json");
}

static void suite_walk(struct paths *p, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *sub = util_printf("%s/%s", dir, e->d_name);
		struct stat st;
		if (!stat(sub, &st) && S_ISDIR(st.st_mode))
			suite_walk(p, sub);
		else if (suite_is_json(e->d_name))
			paths_add(p, sub);
		free(sub);
	}
	closedir(d);
}

static int suite_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The scenario's name as cdpmock gives it: "name" when the file sets one,
 * else the path below a "scenarios/" folder without ".json", else the base
 * name without it. */
static char *suite_name(const char *path, const json_t *scen)
{
	const char *name = json_string_value(json_object_get(scen, "name"));
	if (name)
		return util_strdup(name);
	const char *p = strstr(path, "scenarios/"), *q;
	if (p)
		p += strlen("scenarios/");
	else
		p = (q = strrchr(path, '/')) ? q + 1 : path;
	while ((q = strstr(p, "scenarios/")))
		p = q + strlen("scenarios/");
	char *s = util_strdup(p);
	s[strlen(s) - 5] = '\0';
	return s;
}

static void suite_add(struct suite *s, const struct ccase *c)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 128;
		s->cases = realloc(s->cases, s->alloc * sizeof(*s->cases));
		if (!s->cases) {
			fputs("cdpconform: out of memory\n", stderr);
			exit(2);
		}
	}
	s->cases[s->n++] = *c;
}

static int suite_selected(const struct opts *o, const char *scen, const char *task,
			  const struct adapter *a)
{
	if (o->task && strcmp(o->task, task))
		return 0;
	if (o->only && !strstr(scen, o->only) && strcmp(task, o->only) && strcmp(a->name, o->only))
		return 0;
	return 1;
}

static void suite_scenario(struct suite *s, const char *path, const struct adapter *adapters,
			   size_t n_adapters, const struct opts *o, size_t *index)
{
	json_error_t err;
	json_t *scen = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!scen) {
		fprintf(stderr, "cdpconform: %s:%d:%d: %s (skipped)\n", path, err.line, err.column,
			err.text);
		return;
	}
	const json_t *e = json_object_get(scen, "expect");
	const char *tasks[CONFORM_MAX_TASKS];
	char *name = suite_name(path, scen);
	size_t nt = expect_tasks(e, name, tasks, CONFORM_MAX_TASKS);
	for (size_t t = 0; t < nt; t++) {
		/* Shards take every Nth scenario and task, with all its adapters:
		 * slices stay alike in cost whatever the adapters. */
		if ((*index)++ % (size_t)o->shard_n != (size_t)(o->shard_k - 1))
			continue;
		for (size_t a = 0; a < n_adapters; a++) {
			if (!suite_selected(o, name, tasks[t], &adapters[a]))
				continue;
			struct ccase c = {0};
			c.adapter = &adapters[a];
			c.scenario = util_strdup(name);
			c.path = util_strdup(path);
			c.task = util_strdup(tasks[t]);
			c.expect = expect_merge(e, tasks[t]);
			c.description =
			    util_strdup(json_string_value(json_object_get(scen, "description")));
			suite_add(s, &c);
		}
	}
	free(name);
	json_decref(scen);
}

/* --browser: a real browser plays no scenario, so each adapter gets one
 * case per task, judged on the task's defaults.  The scenario's name says
 * which browser ("browser/chromium"), so that every report shows these
 * cases apart from the mock's. */
static void suite_browser(struct suite *s, const struct adapter *adapters, size_t n_adapters,
			  const struct opts *o)
{
	const char *tasks[CONFORM_MAX_TASKS];
	size_t nt = expect_known_tasks(tasks, CONFORM_MAX_TASKS);
	const char *base = strrchr(o->browser, '/');
	char *name = util_printf("browser/%s", base ? base + 1 : o->browser);
	size_t index = 0;
	for (size_t t = 0; t < nt; t++) {
		if (index++ % (size_t)o->shard_n != (size_t)(o->shard_k - 1))
			continue;
		for (size_t a = 0; a < n_adapters; a++) {
			if (!suite_selected(o, name, tasks[t], &adapters[a]))
				continue;
			struct ccase c = {0};
			c.adapter = &adapters[a];
			c.scenario = util_strdup(name);
			c.task = util_strdup(tasks[t]);
			c.expect = expect_merge(NULL, tasks[t]);
			suite_add(s, &c);
		}
	}
	free(name);
}

int suite_build(struct suite *s, const char *const *paths, size_t n_paths,
		const struct adapter *adapters, size_t n_adapters, const struct opts *o)
{
	struct paths files = {0};
	memset(s, 0, sizeof(*s));
	if (o->browser) {
		suite_browser(s, adapters, n_adapters, o);
		return 0;
	}
	for (size_t i = 0; i < n_paths; i++) {
		struct stat st;
		if (!stat(paths[i], &st)) {
			if (S_ISDIR(st.st_mode))
				suite_walk(&files, paths[i]);
			else
				paths_add(&files, paths[i]);
			continue;
		}
		glob_t g;
		if (glob(paths[i], 0, NULL, &g)) {
			fprintf(stderr, "cdpconform: %s: no scenario matches\n", paths[i]);
			return -1;
		}
		for (size_t k = 0; k < g.gl_pathc; k++)
			paths_add(&files, g.gl_pathv[k]);
		globfree(&g);
	}
	qsort(files.v, files.n, sizeof(*files.v), suite_cmp);
	size_t index = 0;
	for (size_t i = 0; i < files.n; i++) {
		suite_scenario(s, files.v[i], adapters, n_adapters, o, &index);
		free(files.v[i]);
	}
	free(files.v);
	return 0;
}

void suite_clear(struct suite *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct ccase *c = &s->cases[i];
		free(c->scenario);
		free(c->path);
		free(c->task);
		json_decref(c->expect);
		free(c->check);
		free(c->reason);
		free(c->failed);
		free(c->log);
		free(c->expected);
		free(c->description);
	}
	free(s->cases);
	memset(s, 0, sizeof(*s));
}
