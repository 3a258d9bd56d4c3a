/* merge.c - cdpconform --merge: the JSON reports of several runs (the
 * shards of one run, usually) become one set of reports, as if one run had
 * made them.  Reads only the JSON format of report.c. */
#include "conform.h"

#include <stdlib.h>
#include <string.h>

static enum verdict merge_verdict(const char *s)
{
	for (int v = V_PASS; v <= V_SKIP; v++)
		if (s && !strcmp(s, verdict_name(v)))
			return (enum verdict)v;
	return V_FAIL;
}

/* The adapter named name among the first *n of ads, added when new. */
static const struct adapter *merge_adapter(struct adapter *ads, size_t *n, size_t max,
					   const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(ads[i].name, name))
			return &ads[i];
	if (*n == max)
		return NULL;
	memset(&ads[*n], 0, sizeof(ads[*n]));
	ads[*n].name = util_strdup(name);
	ads[*n].version = util_strdup("");
	return &ads[(*n)++];
}

/* The "adapters" of a report: each one's version and tasks. */
static void merge_versions(struct adapter *ads, size_t *n, size_t max, const json_t *arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *j = json_array_get(arr, i);
		const char *name = json_string_value(json_object_get(j, "name"));
		const char *version = json_string_value(json_object_get(j, "version"));
		const json_t *tasks = json_object_get(j, "tasks");
		struct adapter *a = (struct adapter *)merge_adapter(ads, n, max, name ? name : "?");
		if (!a)
			continue;
		if (version && *version && !*a->version) {
			free(a->version);
			a->version = util_strdup(version);
		}
		if (!a->tasks && json_is_array(tasks)) {
			size_t nt = json_array_size(tasks);
			a->tasks = calloc(nt + 1, sizeof(*a->tasks));
			for (size_t t = 0; a->tasks && t < nt; t++)
				a->tasks[t] =
				    util_strdup(json_string_value(json_array_get(tasks, t)));
		}
	}
}

static char *merge_str(const json_t *o, const char *key)
{
	return util_strdup(json_string_value(json_object_get(o, key)));
}

/* Scenario, task, then adapter: the order of a single run. */
static int merge_cmp(const void *pa, const void *pb)
{
	const struct ccase *a = pa, *b = pb;
	int r = strcmp(a->scenario, b->scenario);
	if (!r)
		r = strcmp(a->task, b->task);
	return r ? r : strcmp(a->adapter->name, b->adapter->name);
}

int merge_run(char **files, size_t n_files, const struct opts *o)
{
	struct adapter ads[64];
	size_t n_ads = 0, n = 0, failed = 0;
	struct ccase *cases = NULL;
	long ms = 0;
	int rc = 2;
	for (size_t f = 0; f < n_files; f++) {
		json_error_t e;
		json_t *r = json_load_file(files[f], 0, &e);
		const json_t *arr = json_object_get(r, "cases");
		if (!json_is_array(arr)) {
			fprintf(stderr, "cdpconform: %s: not a cdpconform JSON report\n", files[f]);
			json_decref(r);
			goto out;
		}
		ms +=
		    (long)json_integer_value(json_object_get(json_object_get(r, "summary"), "ms"));
		merge_versions(ads, &n_ads, 64, json_object_get(r, "adapters"));
		struct ccase *grown = realloc(cases, (n + json_array_size(arr)) * sizeof(*cases));
		if (!grown) {
			json_decref(r);
			goto out;
		}
		cases = grown;
		for (size_t i = 0; i < json_array_size(arr); i++) {
			const json_t *c = json_array_get(arr, i);
			const char *name = json_string_value(json_object_get(c, "adapter"));
			struct ccase *k = &cases[n];
			memset(k, 0, sizeof(*k));
			k->adapter = merge_adapter(ads, &n_ads, 64, name ? name : "?");
			if (!k->adapter)
				continue;
			k->scenario = merge_str(c, "scenario");
			k->task = merge_str(c, "task");
			k->verdict =
			    merge_verdict(json_string_value(json_object_get(c, "verdict")));
			k->check = merge_str(c, "check");
			k->reason = merge_str(c, "reason");
			k->failed = merge_str(c, "failed");
			k->log = merge_str(c, "log");
			k->expected = merge_str(c, "expected");
			k->description = merge_str(c, "description");
			k->ms = (long)json_integer_value(json_object_get(c, "ms"));
			if (!k->scenario || !k->task) {
				free(k->scenario);
				free(k->task);
				free(k->check);
				free(k->reason);
				free(k->failed);
				free(k->log);
				free(k->expected);
				free(k->description);
				continue;
			}
			failed +=
			    k->verdict == V_FAIL || k->verdict == V_HANG || k->verdict == V_CRASH;
			n++;
		}
		json_decref(r);
	}
	if (o->baselines) {
		/* Judged again against these baselines, as a run would be. */
		for (size_t a = 0; a < n_ads; a++)
			if (baseline_load(&ads[a], o->baselines))
				goto out;
		failed = 0;
		for (size_t i = 0; i < n; i++) {
			baseline_reset(&cases[i]);
			baseline_apply(&cases[i]);
			failed += cases[i].verdict == V_FAIL || cases[i].verdict == V_HANG ||
				  cases[i].verdict == V_CRASH;
		}
	}
	if (n)
		qsort(cases, n, sizeof(*cases), merge_cmp);
	FILE *tap = o->tap ? fopen(o->tap, "w") : stdout;
	if (!tap)
		tap = stdout;
	report_tap_plan(tap, n);
	for (size_t i = 0; i < n; i++)
		report_tap_case(tap, i + 1, &cases[i]);
	fprintf(tap, "# %zu cases, %zu failed (merged from %zu reports)\n", n, failed, n_files);
	if (tap != stdout)
		fclose(tap);
	rc = failed ? 1 : 0;
	if (report_all(o, cases, n, ms))
		rc = 2;
out:
	for (size_t i = 0; i < n; i++) {
		free(cases[i].scenario);
		free(cases[i].task);
		free(cases[i].check);
		free(cases[i].reason);
		free(cases[i].failed);
		free(cases[i].log);
		free(cases[i].expected);
		free(cases[i].description);
	}
	free(cases);
	for (size_t i = 0; i < n_ads; i++)
		adapter_clear(&ads[i]);
	return rc;
}
