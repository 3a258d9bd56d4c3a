/* baseline.c - an adapter's recorded behaviour: conformance/baselines/NAME.json
 * gives, for each case ("SCENARIO TASK"), the outcome it had when the
 * baseline was written (pass, hang, crash, or fail with its first failed
 * check) and, for a known client bug, why.  A run compares every case with
 * it, so that a change in either direction fails the run; --update-baselines
 * writes the files from a run's outcomes.  Format: docs/judging.md. */
#include "conform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* How a reason starts when the case differs from its baseline. */
#define BASELINE_PREFIX "the baseline expects "

/* The outcome of an entry, as outcome strings compare: "pass", "hang",
 * "crash" or "fail:CHECK".  A heap string, or NULL when malformed. */
static char *baseline_entry_outcome(const json_t *e)
{
	const char *v = json_string_value(json_object_get(e, "verdict"));
	const char *check = json_string_value(json_object_get(e, "check"));
	if (!v)
		return NULL;
	if (!strcmp(v, "pass") || !strcmp(v, "hang") || !strcmp(v, "crash"))
		return util_strdup(v);
	if (!strcmp(v, "fail") && check && *check)
		return util_printf("fail:%s", check);
	return NULL;
}

/* Whether outcome o is what entry e records: its own, or one of "also"
 * (outcomes that depend on timing, which a flaky case may show too). */
static int baseline_matches(const json_t *e, const char *o)
{
	char *own = baseline_entry_outcome(e);
	int yes = own && o && !strcmp(own, o);
	free(own);
	const json_t *also = json_object_get(e, "also");
	for (size_t i = 0; !yes && o && i < json_array_size(also); i++) {
		const char *s = json_string_value(json_array_get(also, i));
		yes = s && !strcmp(s, o);
	}
	return yes;
}

int baseline_load(struct adapter *a, const char *dir)
{
	char *file = util_printf("%s/%s.json", dir, a->name);
	json_error_t e;
	int rc = 0;
	json_t *j = json_load_file(file, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		/* No file: no baseline, every case must pass. */
		if (!strstr(e.text, "unable to open")) {
			fprintf(stderr, "cdpconform: %s:%d:%d: %s\n", file, e.line, e.column,
				e.text);
			rc = -1;
		}
		free(file);
		return rc;
	}
	const json_t *cases = json_object_get(j, "cases");
	const char *key;
	json_t *v;
	if (!json_is_object(cases)) {
		fprintf(stderr,
			"cdpconform: %s: expected {\"cases\": {\"SCENARIO TASK\": "
			"{\"verdict\": ...}}}\n",
			file);
		rc = -1;
	}
	json_object_foreach((json_t *)cases, key, v)
	{
		char *o = baseline_entry_outcome(v);
		if (!o || !strchr(key, ' ')) {
			fprintf(
			    stderr,
			    "cdpconform: %s: \"%s\": expected \"SCENARIO TASK\": {\"verdict\": "
			    "\"pass\"|\"hang\"|\"crash\"|\"fail\", \"check\": CHECK for fail}\n",
			    file, key);
			rc = -1;
		}
		free(o);
	}
	if (!rc)
		a->baseline = json_incref((json_t *)cases);
	json_decref(j);
	free(file);
	return rc;
}

char *baseline_outcome(const struct ccase *c)
{
	switch (c->verdict) {
	case V_PASS:
		return util_strdup("pass");
	case V_HANG:
		return util_strdup("hang");
	case V_CRASH:
		return util_strdup("crash");
	case V_KNOWN_FAIL:
		if (c->expected)
			return util_strdup(c->expected);
		/* a report without "expected": the check says what it was */
		if (c->check && (!strcmp(c->check, "hang") || !strcmp(c->check, "crash")))
			return util_strdup(c->check);
		return util_printf("fail:%s", c->check ? c->check : "?");
	case V_FAIL:
		if (c->check && !strcmp(c->check, "baseline"))
			return util_strdup("pass");
		return util_printf("fail:%s", c->check ? c->check : "?");
	case V_SKIP:
		break;
	}
	return NULL;
}

void baseline_apply(struct ccase *c)
{
	const json_t *bl = c->adapter->baseline;
	if (!bl || c->verdict == V_SKIP)
		return;
	char *key = util_printf("%s %s", c->scenario, c->task);
	const json_t *e = json_object_get(bl, key);
	free(key);
	if (!e)
		return;
	char *want = baseline_entry_outcome(e);
	char *got = baseline_outcome(c);
	c->expected = want;
	if (!want || !got) {
		free(got);
		return;
	}
	if (baseline_matches(e, got)) {
		if (c->verdict != V_PASS) {
			/* what it did, which may be one of "also" */
			free(c->expected);
			c->expected = util_strdup(got);
			c->verdict = V_KNOWN_FAIL;
		}
	} else if (c->verdict == V_PASS) {
		/* A known failure that passes now: the client (or the mock)
		 * changed, and the baseline must say so. */
		c->verdict = V_FAIL;
		free(c->check);
		free(c->reason);
		free(c->failed);
		c->check = util_strdup("baseline");
		c->failed = util_strdup("baseline");
		c->reason = util_printf(BASELINE_PREFIX "%s, and it now passes: update the "
							"baseline (make conformance-baselines)",
					want);
	} else {
		/* Still failing, but differently (or failing where it passed):
		 * the verdict stays, the reason says what changed. */
		char *r = util_printf(BASELINE_PREFIX "%s, got %s: %s", want, got,
				      c->reason ? c->reason : "");
		free(c->reason);
		c->reason = r;
	}
	free(got);
}

void baseline_reset(struct ccase *c)
{
	char *o = baseline_outcome(c);
	if (!o)
		return;
	if (!strcmp(o, "pass")) {
		if (c->verdict == V_FAIL) { /* check "baseline" */
			free(c->check);
			free(c->reason);
			free(c->failed);
			c->check = c->reason = c->failed = NULL;
		}
		c->verdict = V_PASS;
	} else {
		c->verdict = !strcmp(o, "hang") ? V_HANG : !strcmp(o, "crash") ? V_CRASH : V_FAIL;
	}
	/* "the baseline expects X, got Y: REASON" */
	const char *r = c->reason, *colon = r ? strstr(r, ": ") : NULL;
	if (r && colon && !strncmp(r, BASELINE_PREFIX, strlen(BASELINE_PREFIX))) {
		char *rest = util_strdup(colon + 2);
		free(c->reason);
		c->reason = rest;
	}
	free(c->expected);
	c->expected = NULL;
	free(o);
}

/* ---- writing ---- */

/* The entry for outcome o, keeping old's "why" when old had the same
 * outcome; a failure with no why gets the generated explanation. */
static json_t *baseline_entry(const struct ccase *c, const char *o, const json_t *old)
{
	json_t *e = json_object();
	const char *colon = strchr(o, ':');
	if (colon) {
		json_object_set_new(e, "verdict", json_string("fail"));
		json_object_set_new(e, "check", json_string(colon + 1));
	} else {
		json_object_set_new(e, "verdict", json_string(o));
	}
	if (old && baseline_matches(old, o)) {
		/* The same behaviour: the old entry stays as it was (a failure
		 * without a why gets one). */
		json_decref(e);
		e = json_deep_copy(old);
		if (!strcmp(o, "pass") || json_is_string(json_object_get(e, "why")))
			return e;
	}
	if (strcmp(o, "pass")) {
		char *x = explain_case(c);
		json_object_set_new(e, "why", json_string(x));
		free(x);
	}
	return e;
}

static int baseline_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes cases (an object) to file, one case a line, keys sorted, so that
 * a change shows as a one-line diff. */
static int baseline_dump(const char *file, const char *name, const char *version,
			 const json_t *cases)
{
	size_t n = json_object_size(cases), k = 0;
	const char **keys = calloc(n + 1, sizeof(*keys));
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)cases, key, v)
	{
		keys[k++] = key;
	}
	qsort(keys, n, sizeof(*keys), baseline_key_cmp);
	char *tmp = util_printf("%s.tmp", file);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "cdpconform: cannot write %s: %s\n", tmp, strerror(errno));
		free(keys);
		free(tmp);
		return -1;
	}
	json_t *head = json_pack("{s:s, s:s}", "adapter", name, "version", version ? version : "");
	char *hn = json_dumps(json_object_get(head, "adapter"), JSON_ENCODE_ANY);
	char *hv = json_dumps(json_object_get(head, "version"), JSON_ENCODE_ANY);
	fprintf(f,
		"{\n \"about\": \"The expected outcome of every case of this adapter. Written by "
		"make conformance-baselines (cdpconform --update-baselines), which keeps each "
		"'why' while its outcome stays; see docs/judging.md.\",\n"
		" \"adapter\": %s,\n \"version\": %s,\n \"cases\": {",
		hn, hv);
	for (size_t i = 0; i < n; i++) {
		json_t *kj = json_string(keys[i]);
		char *ks = json_dumps(kj, JSON_ENCODE_ANY);
		json_decref(kj);
		char *vs =
		    json_dumps(json_object_get(cases, keys[i]), JSON_COMPACT | JSON_PRESERVE_ORDER);
		fprintf(f, "%s\n  %s: %s", i ? "," : "", ks, vs);
		free(ks);
		free(vs);
	}
	fputs("\n }\n}\n", f);
	free(hn);
	free(hv);
	json_decref(head);
	free(keys);
	int rc = fclose(f) ? -1 : rename(tmp, file);
	if (rc)
		fprintf(stderr, "cdpconform: cannot write %s\n", file);
	free(tmp);
	return rc;
}

int baseline_write(const char *dir, const struct ccase *cases, size_t n)
{
	int rc = 0;
	if (util_mkdirs(dir)) {
		fprintf(stderr, "cdpconform: cannot create %s\n", dir);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct adapter *a = cases[i].adapter;
		size_t k;
		for (k = 0; k < i && cases[k].adapter != a; k++)
			;
		if (k < i)
			continue; /* written with its first case */
		char *file = util_printf("%s/%s.json", dir, a->name);
		json_t *old = json_load_file(file, 0, NULL);
		const json_t *old_cases = json_object_get(old, "cases");
		json_t *now = json_is_object(old_cases) ? json_deep_copy(old_cases) : json_object();
		for (k = i; k < n; k++) {
			const struct ccase *c = &cases[k];
			char *o = c->adapter == a ? baseline_outcome(c) : NULL;
			if (!o)
				continue;
			char *key = util_printf("%s %s", c->scenario, c->task);
			json_object_set_new(now, key,
					    baseline_entry(c, o, json_object_get(old_cases, key)));
			free(key);
			free(o);
		}
		if (baseline_dump(file, a->name, a->version, now))
			rc = -1;
		json_decref(now);
		json_decref(old);
		free(file);
	}
	return rc;
}
