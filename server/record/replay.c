/* replay.c - --replay-strict (see replay.h).  It counts, per incoming rule,
 * the commands that match its method and params, exactly as the rules'
 * nth does, so that a command past the recorded occurrences is refused
 * too. */
#include "record/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdp/call.h"
#include "cdp/envelope.h"
#include "cdp/targets.h"
#include "record/record_int.h"
#include "scenario/scenario.h"
#include "script/script.h"

static const struct scenario *replay_sc; /* the counts belong to this one */
static uint64_t *replay_count;

static int replay_in_rule(const struct scenario_rule *r, const char *method)
{
	const struct scenario_match *m = &r->match;
	return m->dir == SCENARIO_IN && m->method && !m->byte && !strcmp(m->method, method);
}

/* Edit distance of two method names (for "the nearest"). */
static size_t replay_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[128], cur[128];
	if (la > 120 || lb > 120)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

/* "Method {params}" of the recorded rule nearest to method. */
static void replay_nearest(const struct scenario *sc, const char *method, struct buf *out)
{
	const struct scenario_rule *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct scenario_match *m = &sc->rules[i].match;
		if (m->dir != SCENARIO_IN || !m->method || strchr(m->method, '*'))
			continue;
		size_t d = replay_distance(m->method, method);
		if (d < best_d) {
			best_d = d;
			best = &sc->rules[i];
		}
	}
	if (!best) {
		buf_adds(out, "none: nothing was recorded");
		return;
	}
	buf_adds(out, best->match.method);
	if (best->match.params) {
		char *p = json_dumps(best->match.params, JSON_COMPACT);
		if (p)
			buf_printf(out, " %s", p);
		free(p);
	}
}

void replay_in(struct conn *c, struct envelope *e, const char *text, size_t len)
{
	const struct scenario *sc = scenario_current();
	char method[256];
	if (!e->method || e->method_len >= sizeof(method) || !strncmp(e->method, "Target.", 7)) {
		script_in(c, e, text, len);
		return;
	}
	memcpy(method, e->method, e->method_len);
	method[e->method_len] = '\0';
	if (sc != replay_sc) {
		free(replay_count);
		replay_count = calloc(sc->n_rules ? sc->n_rules : 1, sizeof(*replay_count));
		replay_sc = replay_count ? sc : NULL;
	}
	json_t *empty = json_object();
	const json_t *params = e->params ? e->params : empty;
	int recorded = 0;
	for (size_t i = 0; replay_count && i < sc->n_rules; i++) {
		const struct scenario_rule *r = &sc->rules[i];
		if (!replay_in_rule(r, method) ||
		    (r->match.params && !rec_subset(r->match.params, params)))
			continue;
		uint64_t n = ++replay_count[i];
		if (!r->match.nth_from || (n >= r->match.nth_from && n <= r->match.nth_to))
			recorded = 1;
	}
	json_decref(empty);
	struct session *s = session_find(c, e->session_id);
	if (recorded || !s || !replay_count) {
		script_in(c, e, text, len);
		return;
	}
	struct buf msg;
	buf_init(&msg, 0);
	buf_printf(&msg, "cdpmock --replay-strict: %s", method);
	if (e->params) {
		char *p = json_dumps(e->params, JSON_COMPACT);
		if (p)
			buf_printf(&msg, " %s", p);
		free(p);
	}
	buf_adds(&msg, " was not recorded; the nearest recorded command is ");
	replay_nearest(sc, method, &msg);
	if (!buf_finish(&msg))
		call_send_error(c, s, method, e->has_id, e->id, -32000, msg.data, NULL);
	buf_clear(&msg);
}

void replay_fini(void)
{
	free(replay_count);
	replay_count = NULL;
	replay_sc = NULL;
}
