/* expect.c - what a correct client does in a case: the task's default
 * expectation, with the scenario's "expect" on top (docs/judging.md
 * gives the defaults and the reasons).  Only merging; judge.c checks. */
#include "conform.h"

#include <string.h>

/* The default time limit of a case, and of every task below. */
#define EXPECT_DEFAULT_LIMIT_MS 30000

/* Each task's defaults, as the JSON a scenario would write.  "send" lists
 * what a client cannot do the task without; "outputs" what it hands its
 * user.  Both apply only while the expected exit is "success" (a client
 * that must fail may fail before it sends anything). */
static const struct {
	const char *task;
	const char *json;
} expect_defaults[] = {
    {"trace-events", "{\"send\":[{\"method\":\"Tracing.start\"},{\"method\":\"Tracing.end\"}],"
		     "\"notSend\":[{\"method\":\"Tracing.start\",\"params\":{\"transferMode\":"
		     "\"ReturnAsStream\"}}],"
		     "\"exit\":\"success\",\"outputs\":[{\"name\":\"trace.json\",\"json\":true}]}"},
    {"trace-stream", "{\"send\":[{\"method\":\"Tracing.start\",\"params\":{\"transferMode\":"
		     "\"ReturnAsStream\"}},{\"method\":\"Tracing.end\"},{\"method\":\"IO.read\"}],"
		     "\"closeStreams\":true,\"exit\":\"success\","
		     "\"outputs\":[{\"name\":\"trace.json\",\"json\":true}]}"},
    {"trace-gzip",
     "{\"send\":[{\"method\":\"Tracing.start\",\"params\":{\"transferMode\":"
     "\"ReturnAsStream\",\"streamCompression\":\"gzip\"}},{\"method\":\"Tracing.end\"},"
     "{\"method\":\"IO.read\"}],"
     "\"closeStreams\":true,\"exit\":\"success\","
     "\"outputs\":[{\"name\":\"trace.json\",\"minBytes\":20}]}"},
    {"trace-twice", "{\"send\":[{\"method\":\"Tracing.start\"},{\"method\":\"Tracing.start\"},"
		    "{\"method\":\"Tracing.end\"}],"
		    "\"closeStreams\":true,\"exit\":\"success\","
		    "\"outputs\":[{\"name\":\"trace-2.json\",\"json\":true}]}"},
    {"profile", "{\"send\":[{\"method\":\"Profiler.enable\"},{\"method\":\"Profiler.start\"},"
		"{\"method\":\"Profiler.stop\"}],\"exit\":\"success\","
		"\"outputs\":[{\"name\":\"profile.cpuprofile\",\"json\":true}]}"},
    {"console-profile", "{\"send\":[{\"method\":\"Profiler.enable\"}],\"exit\":\"success\","
			"\"outputs\":[{\"name\":\"profiles.json\",\"json\":true}]}"},
    {"coverage",
     "{\"send\":[{\"method\":\"Profiler.enable\"},{\"method\":\"Profiler.startPreciseCoverage\"},"
     "{\"method\":\"Profiler.takePreciseCoverage\"}],\"exit\":\"success\","
     "\"outputs\":[{\"name\":\"coverage.json\",\"json\":true}]}"},
    /* The client launches the browser itself (CDP_MOCK_BIN, CDP_MOCK_ARGS),
     * by port or by pipe, records a trace, and closes the browser, which
     * must end its process.  Scenarios cannot declare these tasks (cdpmock
     * checks task names); they run on the scenarios "onScenarios" names
     * (expect_tasks()), with those scenarios' expectations on top. */
    {"launch", "{\"launch\":true,\"closeBrowser\":true,"
	       "\"onScenarios\":[\"tracing/return-as-stream\"],"
	       "\"send\":[{\"method\":\"Tracing.start\"},{\"method\":\"Tracing.end\"},"
	       "{\"method\":\"Browser.close\"}],"
	       "\"closeStreams\":true,\"exit\":\"success\","
	       "\"outputs\":[{\"name\":\"trace.json\",\"json\":true}]}"},
    {"launch-pipe", "{\"launch\":true,\"closeBrowser\":true,"
		    "\"onScenarios\":[\"tracing/return-as-stream\"],"
		    "\"send\":[{\"method\":\"Tracing.start\"},{\"method\":\"Tracing.end\"},"
		    "{\"method\":\"Browser.close\"}],"
		    "\"closeStreams\":true,\"exit\":\"success\","
		    "\"outputs\":[{\"name\":\"trace.json\",\"json\":true}]}"},
};

size_t expect_known_tasks(const char **out, size_t max)
{
	size_t n = 0;
	for (; n < max && n < sizeof(expect_defaults) / sizeof(expect_defaults[0]); n++)
		out[n] = expect_defaults[n].task;
	return n;
}

/* Whether task's defaults name scenario in "onScenarios". */
static int expect_on_scenario(const char *task_json, const char *scenario)
{
	json_t *d = json_loads(task_json, 0, NULL);
	const json_t *on = json_object_get(d, "onScenarios");
	int found = 0;
	for (size_t i = 0; i < json_array_size(on) && !found; i++) {
		const char *name = json_string_value(json_array_get(on, i));
		found = name && !strcmp(name, scenario);
	}
	json_decref(d);
	return found;
}

size_t expect_tasks(const json_t *e, const char *scenario, const char **out, size_t max)
{
	const json_t *t = json_object_get(e, "task");
	size_t n = 0;
	for (size_t i = 0;
	     scenario && i < sizeof(expect_defaults) / sizeof(expect_defaults[0]) && n < max; i++)
		if (expect_on_scenario(expect_defaults[i].json, scenario))
			out[n++] = expect_defaults[i].task;
	if (json_is_string(t) && max)
		out[n++] = json_string_value(t);
	for (size_t i = 0; json_is_array(t) && i < json_array_size(t) && n < max; i++)
		if (json_is_string(json_array_get(t, i)))
			out[n++] = json_string_value(json_array_get(t, i));
	return n;
}

/* Copies every key of from into to except task and byTask. */
static void expect_over(json_t *to, const json_t *from)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)from, k, v)
	{
		if (strcmp(k, "task") && strcmp(k, "byTask"))
			json_object_set(to, k, v);
	}
}

json_t *expect_merge(const json_t *scenario_expect, const char *task)
{
	json_t *e = NULL;
	for (size_t i = 0; i < sizeof(expect_defaults) / sizeof(expect_defaults[0]); i++)
		if (!strcmp(expect_defaults[i].task, task))
			e = json_loads(expect_defaults[i].json, 0, NULL);
	if (!e)
		e = json_object();
	/* The defaults' send and outputs describe a successful run; keep them
	 * apart so that a scenario expecting failure drops them. */
	json_object_set(e, "defaultSend", json_object_get(e, "send"));
	json_object_set(e, "defaultOutputs", json_object_get(e, "outputs"));
	json_object_del(e, "onScenarios");
	json_object_del(e, "send");
	json_object_del(e, "outputs");
	expect_over(e, scenario_expect);
	expect_over(e, json_object_get(json_object_get(scenario_expect, "byTask"), task));
	return e;
}

long expect_time_limit_ms(const json_t *e)
{
	const json_t *t = json_object_get(e, "timeLimitMs");
	return json_is_integer(t) ? (long)json_integer_value(t) : EXPECT_DEFAULT_LIMIT_MS;
}
