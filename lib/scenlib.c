/* scenlib.c - finding and listing library scenarios by name (see
 * scenlib.h). */
#include "scenlib.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "editdist.h"

#ifndef CDPM_SCENARIO_DIR
#define CDPM_SCENARIO_DIR "/usr/local/share/cdpmock/scenarios"
#endif

#define SCENLIB_MAX_DIRS 16
#define SCENLIB_MAX_DEPTH 4

struct scenlib_dirs {
	char *v[SCENLIB_MAX_DIRS];
	size_t n;
};

static int scenlib_is_dir(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static int scenlib_is_file(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISREG(st.st_mode);
}

/* Adds p (a malloc'd path, taken) if it is a folder not yet listed. */
static void scenlib_add(struct scenlib_dirs *d, char *p)
{
	char real[PATH_MAX];
	if (!p)
		return;
	if (d->n < SCENLIB_MAX_DIRS && scenlib_is_dir(p) && realpath(p, real)) {
		for (size_t i = 0; i < d->n; i++)
			if (!strcmp(d->v[i], real)) {
				free(p);
				return;
			}
		free(p);
		d->v[d->n++] = strdup(real);
		if (!d->v[d->n - 1])
			d->n--;
		return;
	}
	free(p);
}

static char *scenlib_join(const char *a, const char *b)
{
	struct buf p;
	buf_init(&p, 0);
	if (buf_printf(&p, "%s/%s", a, b)) {
		buf_clear(&p);
		return NULL;
	}
	return p.data;
}

static const char *scenlib_exe;

void scenlib_set_exe(const char *path)
{
	scenlib_exe = path;
}

static void scenlib_dirs(struct scenlib_dirs *d)
{
	memset(d, 0, sizeof(*d));
	const char *env = getenv("CDPMOCK_SCENARIO_PATH");
	while (env && *env) {
		size_t n = strcspn(env, ":");
		if (n)
			scenlib_add(d, strndup(env, n));
		env += n + (env[n] == ':');
	}
	char exe[PATH_MAX];
	ssize_t n = scenlib_exe ? (ssize_t)strlen(scenlib_exe)
				: readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (scenlib_exe && (size_t)n < sizeof(exe))
		memcpy(exe, scenlib_exe, (size_t)n);
	else if (scenlib_exe)
		n = -1;
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			scenlib_add(d, scenlib_join(exe, "../scenarios"));
			scenlib_add(d, scenlib_join(exe, "../share/cdpmock/scenarios"));
		}
	}
	scenlib_add(d, strdup(CDPM_SCENARIO_DIR));
}

static void scenlib_dirs_free(struct scenlib_dirs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	d->n = 0;
}

char *scenlib_dir(void)
{
	struct scenlib_dirs d;
	scenlib_dirs(&d);
	char *first = d.n ? d.v[0] : NULL;
	for (size_t i = 1; i < d.n; i++)
		free(d.v[i]);
	return first;
}

/* ---- every name of the library ---- */

struct scenlib_entry {
	char *name; /* "tracing/complete-never" */
	char *file;
};

struct scenlib_all {
	struct scenlib_entry *v;
	size_t n, cap;
};

static int scenlib_has(const struct scenlib_all *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, name))
			return 1;
	return 0;
}

static void scenlib_push(struct scenlib_all *a, const char *name, const char *file)
{
	if (scenlib_has(a, name))
		return;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		struct scenlib_entry *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n].name = strdup(name);
	a->v[a->n].file = strdup(file);
	if (a->v[a->n].name && a->v[a->n].file) {
		a->n++;
	} else {
		free(a->v[a->n].name);
		free(a->v[a->n].file);
	}
}

/* Walks dir/rel for *.json files; rel is "" at the top. */
static void scenlib_walk(struct scenlib_all *a, const char *dir, const char *rel, int depth)
{
	char *path = *rel ? scenlib_join(dir, rel) : strdup(dir);
	DIR *dp = path ? opendir(path) : NULL;
	struct dirent *e;
	while (dp && (e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		char *sub = *rel ? scenlib_join(rel, e->d_name) : strdup(e->d_name);
		char *full = sub ? scenlib_join(dir, sub) : NULL;
		size_t len = sub ? strlen(sub) : 0;
		if (full && scenlib_is_dir(full) && depth < SCENLIB_MAX_DEPTH) {
			scenlib_walk(a, dir, sub, depth + 1);
		} else if (full && len > 5 && !strcmp(sub + len - 5, ".json") &&
			   scenlib_is_file(full)) {
			sub[len - 5] = '\0';
			scenlib_push(a, sub, full);
		}
		free(sub);
		free(full);
	}
	if (dp)
		closedir(dp);
	free(path);
}

static int scenlib_cmp(const void *x, const void *y)
{
	return strcmp(((const struct scenlib_entry *)x)->name,
		      ((const struct scenlib_entry *)y)->name);
}

static void scenlib_collect(const struct scenlib_dirs *d, struct scenlib_all *a)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < d->n; i++)
		scenlib_walk(a, d->v[i], "", 0);
	if (a->n)
		qsort(a->v, a->n, sizeof(*a->v), scenlib_cmp);
}

static void scenlib_all_free(struct scenlib_all *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].file);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* ---- resolve ---- */

char *scenlib_resolve(const char *arg, FILE *err)
{
	if (scenlib_is_file(arg))
		return strdup(arg);
	struct scenlib_dirs d;
	scenlib_dirs(&d);
	char *found = NULL;
	size_t alen = strlen(arg);
	int has_ext = alen > 5 && !strcmp(arg + alen - 5, ".json");
	for (size_t i = 0; i < d.n && !found && arg[0] != '/'; i++) {
		char *p = scenlib_join(d.v[i], arg);
		if (p && !has_ext && !scenlib_is_file(p)) {
			char *q = NULL;
			struct buf b;
			buf_init(&b, 0);
			if (!buf_printf(&b, "%s.json", p))
				q = b.data;
			else
				buf_clear(&b);
			free(p);
			p = q;
		}
		if (p && scenlib_is_file(p))
			found = p;
		else
			free(p);
	}
	if (!found) {
		struct scenlib_all a;
		scenlib_collect(&d, &a);
		const char *best = NULL;
		size_t best_d = (size_t)-1, len = has_ext ? alen - 5 : alen;
		for (size_t i = 0; i < a.n; i++) {
			size_t dd = editdist_ci(arg, len, a.v[i].name, strlen(a.v[i].name));
			if (dd < best_d) {
				best_d = dd;
				best = a.v[i].name;
			}
		}
		fprintf(err, "cdpmock: no scenario '%s': not a file, nor a name in the scenario "
			     "library", arg);
		if (best && editdist_near(best_d, len))
			fprintf(err, "; did you mean '%s'?", best);
		fprintf(err, " (cdpmock --list-scenarios lists them)\n");
		scenlib_all_free(&a);
	}
	scenlib_dirs_free(&d);
	return found;
}

/* ---- list ---- */

/* A case-insensitive strstr. */
static int scenlib_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return !n;
}

int scenlib_list(const char *keyword, FILE *out, FILE *err)
{
	struct scenlib_dirs d;
	scenlib_dirs(&d);
	if (!d.n) {
		fprintf(err, "cdpmock: no scenario library found (set CDPMOCK_SCENARIO_PATH)\n");
		return 1;
	}
	struct scenlib_all a;
	scenlib_collect(&d, &a);
	size_t width = 0;
	for (size_t i = 0; i < a.n; i++)
		if (strlen(a.v[i].name) > width)
			width = strlen(a.v[i].name);
	for (size_t i = 0; i < a.n; i++) {
		json_t *root = json_load_file(a.v[i].file, 0, NULL);
		const char *desc = json_string_value(json_object_get(root, "description"));
		size_t dl = desc ? strcspn(desc, "\n") : 0;
		if (!keyword || scenlib_contains(a.v[i].name, keyword) ||
		    (desc && scenlib_contains(desc, keyword)))
			fprintf(out, "%-*s  %.*s\n", (int)width, a.v[i].name, (int)dl,
				desc ? desc : "");
		json_decref(root);
	}
	scenlib_all_free(&a);
	scenlib_dirs_free(&d);
	return 0;
}
