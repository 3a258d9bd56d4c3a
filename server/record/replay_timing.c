/* replay_timing.c - --replay-timing real (see replay.h): loads a recording
 * with its recorded times kept.  The recorder writes, for each recorded
 * command, when its reply ("replyAtMs") and each event ("atMs") came after
 * the command; this file turns those times into the scenario format's own
 * delays before loading: the rule's reply gets a "delay", and the events
 * that followed the reply move to a timeline started by the same match.
 * It does not change how any scenario runs; `fast` (the default) simply
 * never reads these keys. */
#include "record/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "scenario/scenario.h"
#include "scenario/scenload.h"

/* The timeline steps for the emits of one rule's action a (reply at
 * reply_ms, or -1 when the command was never answered); the emits that
 * stay in the rule are left in a. */
static json_t *rt_steps(json_t *a, double reply_ms)
{
	json_t *emit = json_object_get(a, "emit");
	json_t *list = json_is_array(emit) ? json_incref(emit) : json_pack("[O]", emit);
	json_t *keep = json_array(), *steps = json_array();
	size_t i;
	json_t *e;
	double last = 0;
	json_array_foreach(list, i, e) {
		json_t *at = json_object_get(e, "atMs");
		const char *when = json_string_value(json_object_get(e, "when"));
		/* A "before" event stays in the rule: it goes out with the delayed
		 * reply, just before it, as it came. */
		if (!json_is_number(at) || (when && !strcmp(when, "before") && reply_ms >= 0)) {
			json_array_append(keep, e);
			continue;
		}
		double t = json_number_value(at);
		/* An event of the reply's millisecond is sent 1 ms after it: a
		 * timer of the same time might otherwise go first. */
		if (reply_ms >= 0 && t <= reply_ms)
			t = reply_ms + 1;
		if (t < last)
			t = last; /* steps must be in time order */
		last = t;
		json_t *copy = json_deep_copy(e);
		json_object_del(copy, "atMs");
		json_object_del(copy, "when");
		json_array_append_new(steps, json_pack("{s:f,s:o}", "at", t, "emit", copy));
	}
	json_decref(list);
	if (json_array_size(keep))
		json_object_set_new(a, "emit", keep);
	else {
		json_object_del(a, "emit");
		json_decref(keep);
	}
	return steps;
}

/* Rewrites the recorded times of sc's rules into delays and timelines. */
static void rt_rewrite(json_t *sc)
{
	json_t *rules = json_object_get(sc, "rules");
	json_t *timelines = json_object_get(sc, "timelines");
	if (!json_is_array(timelines)) {
		timelines = json_array();
		json_object_set_new(sc, "timelines", timelines);
	}
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r) {
		json_t *a = json_object_get(r, "action");
		if (!json_is_object(a))
			continue;
		json_t *rat = json_object_get(a, "replyAtMs");
		double reply_ms = json_is_number(rat) ? json_number_value(rat) : -1;
		json_object_del(a, "replyAtMs");
		/* A delay written by hand wins over the recorded one. */
		if (reply_ms > 0 && !json_object_get(a, "delay"))
			json_object_set_new(a, "delay", json_real(reply_ms));
		if (!json_object_get(a, "emit"))
			continue;
		json_t *steps = rt_steps(a, reply_ms);
		if (json_array_size(steps))
			json_array_append_new(timelines,
					      json_pack("{s:O,s:o}", "start", json_object_get(r, "match"),
							"steps", steps));
		else
			json_decref(steps);
	}
	/* The keys fast mode ignores are gone from what is loaded. */
	json_array_foreach(rules, i, r) {
		json_t *a = json_object_get(r, "action");
		json_t *emit = json_object_get(a, "emit");
		size_t k;
		json_t *e;
		if (json_is_object(emit))
			json_object_del(emit, "atMs");
		json_array_foreach(emit, k, e)
			json_object_del(e, "atMs");
	}
	if (!json_array_size(timelines))
		json_object_del(sc, "timelines");
}

int replay_timing_load(const char *path, struct buf *errors, struct scenario **out)
{
	*out = NULL;
	/* The file as it is first: its errors then name its own lines. */
	int rc = scenload_file(path, errors, out);
	if (rc)
		return rc;
	scenario_free(*out);
	*out = NULL;
	json_error_t e;
	json_t *sc = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (!sc) {
		buf_printf(errors, "%s: %s\n", path, e.text);
		return CDPM_ESCENARIO;
	}
	rt_rewrite(sc);
	char *text = json_dumps(sc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(sc);
	char *dir = strdup(path);
	if (!text || !dir) {
		free(text);
		free(dir);
		return CDPM_ENOMEM;
	}
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	rc = scenload_text_in(text, strlen(text), path, slash ? dir : ".", errors, out);
	free(text);
	free(dir);
	return rc;
}
