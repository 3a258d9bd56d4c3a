/* scenpage.c - the scenario sections that script what a page computes:
 * "runtime" (what Runtime.evaluate and Runtime.callFunctionOn return) and
 * "performance" (Performance.getMetrics values).  Part of the scenario
 * reader (scenload_int.h); see docs/scenario-format.md. */
#include <math.h>
#include <string.h>

#include "scenario/jcheck.h"
#include "scenario/scenario.h"
#include "scenario/scenload_int.h"

/* The RemoteObject types V8 reports (Runtime.RemoteObject.type). */
static const char *const scenpage_types[] = {"object", "function", "undefined", "string",
					      "number", "boolean",  "symbol",	 "bigint",
					      NULL};

/* "result": an object whose "type" is one of V8's. */
static void scenpage_result(struct sl *L, const json_t *e, struct scenario_eval *r)
{
	const json_t *v = json_object_get(e, "result");
	size_t m = jcheck_push_key(&L->j, "result");
	const json_t *type = json_object_get(v, "type");
	int known = 0;
	for (size_t i = 0; json_is_string(type) && scenpage_types[i]; i++)
		known |= !strcmp(json_string_value(type), scenpage_types[i]);
	if (!json_is_object(v) || !known)
		jcheck_fail(&L->j, v, e, "result",
			    "a RemoteObject: an object with \"type\" \"object\", \"function\", "
			    "\"undefined\", \"string\", \"number\", \"boolean\", \"symbol\" or "
			    "\"bigint\"");
	else
		r->result = v;
	jcheck_pop(&L->j, m);
}

/* One entry of runtime.results. */
static void scenpage_eval(struct sl *L, const json_t *e, const json_t *arr,
			  struct scenario_eval *r)
{
	static const char *const keys[] = {"expression", "function",  "argument", "value",
					   "result",	 "exception", NULL};
	if (jcheck_object(&L->j, e, arr, NULL, keys))
		return;
	int on = !!json_object_get(e, "expression") + !!json_object_get(e, "function");
	int what = !!json_object_get(e, "value") + !!json_object_get(e, "result") +
		   !!json_object_get(e, "exception");
	if (on != 1)
		jcheck_fail(&L->j, e, arr, NULL,
			    "exactly one of \"expression\" (Runtime.evaluate) and \"function\" "
			    "(Runtime.callFunctionOn)");
	if (what != 1)
		jcheck_fail(&L->j, e, arr, NULL,
			    "exactly one of \"value\", \"result\" and \"exception\"");
	const char *k = json_object_get(e, "expression") ? "expression" : "function";
	if (jcheck_string(&L->j, e, k, &r->pattern) == 1 && !*r->pattern)
		scenload_fail_at(L, e, k, "a non-empty pattern");
	r->on = *k == 'e' ? SCENARIO_EVAL_EXPRESSION : SCENARIO_EVAL_FUNCTION;
	if (jcheck_string(&L->j, e, "argument", &r->argument) == 1 &&
	    r->on != SCENARIO_EVAL_FUNCTION)
		scenload_fail_at(L, e, "argument", "\"argument\" only with \"function\"");
	r->value = json_object_get(e, "value");
	if (json_object_get(e, "result"))
		scenpage_result(L, e, r);
	if (jcheck_string(&L->j, e, "exception", &r->exception) == 1 && !*r->exception)
		scenload_fail_at(L, e, "exception", "a non-empty error description");
}

void scenpage_runtime(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"results", NULL};
	if (jcheck_object(&L->j, o, parent, "runtime", keys))
		return;
	const json_t *v = json_object_get(o, "results");
	if (!v)
		return;
	size_t m = jcheck_push_key(&L->j, "results");
	if (!json_is_array(v) || json_array_size(v) > SCENARIO_MAX_RESULTS) {
		jcheck_failf(&L->j, v, o, "results", "an array of at most %d results",
			     SCENARIO_MAX_RESULTS);
	} else {
		size_t n = json_array_size(v);
		struct scenario_eval *r = scenload_alloc(L, (n ? n : 1) * sizeof(*r));
		for (size_t i = 0; r && i < n; i++) {
			size_t mi = jcheck_push_index(&L->j, i);
			scenpage_eval(L, json_array_get(v, i), v, &r[i]);
			jcheck_pop(&L->j, mi);
		}
		L->sc->runtime.results = r;
		L->sc->runtime.n_results = r ? n : 0;
	}
	jcheck_pop(&L->j, m);
}

void scenpage_performance(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"metrics", NULL};
	if (jcheck_object(&L->j, o, parent, "performance", keys))
		return;
	const json_t *v = json_object_get(o, "metrics");
	if (!v)
		return;
	size_t m = jcheck_push_key(&L->j, "metrics");
	if (!json_is_object(v)) {
		jcheck_fail(&L->j, v, o, "metrics", "an object of metric names and numbers");
	} else {
		const char *name;
		const json_t *x;
		int ok = 1;
		json_object_foreach((json_t *)v, name, x) {
			if (!*name) {
				scenload_fail_at(L, v, name, "a metric name");
				ok = 0;
			} else if (!json_is_number(x)) {
				scenload_fail_at(L, v, name, "a number");
				ok = 0;
			}
		}
		if (ok)
			L->sc->performance.metrics = v;
	}
	jcheck_pop(&L->j, m);
}
