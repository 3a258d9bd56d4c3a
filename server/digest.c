/* digest.c - the journal's record of what was sent, for cdpconform (see
 * digest.h).  Profiles and coverage are digested from the outgoing
 * messages themselves, through the journal's tap; traces by
 * domains/tracing/tracing_digest.c, which regenerates them (a trace never
 * exists as one message). */
#include "digest.h"

#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "domains/tracing/tracing_digest.h"
#include "evdigest.h"
#include "journal.h"

static void digest_record(unsigned conn, const char *kind, const struct evdigest *d)
{
	struct buf b;
	buf_init(&b, 0);
	if (!evdigest_note(&b, kind, d))
		journal_note_json(conn, b.data, b.len);
	buf_clear(&b);
}

/* Which messages carry what, and where. */
static const struct {
	const char *method;
	const char *kind;
	const char *outer, *inner; /* msg.outer.inner */
	int each;		   /* an array: digest its elements */
} digest_kinds[] = {
    {"Profiler.stop", "profile", "result", "profile", 0},
    {"Profiler.consoleProfileFinished", "console-profile", "params", "profile", 0},
    {"Profiler.takePreciseCoverage", "coverage", "result", "result", 1},
};

/* The journal tap (journal_tap_fn). */
static void digest_out(unsigned conn, const char *text, size_t len, const char *method)
{
	if (!method)
		return;
	for (size_t i = 0; i < sizeof(digest_kinds) / sizeof(digest_kinds[0]); i++) {
		if (strcmp(method, digest_kinds[i].method))
			continue;
		json_t *msg = json_loadb(text, len, 0, NULL);
		json_t *v = json_object_get(json_object_get(msg, digest_kinds[i].outer),
					    digest_kinds[i].inner);
		struct evdigest d;
		evdigest_init(&d);
		if (v && digest_kinds[i].each && json_is_array(v)) {
			for (size_t k = 0; k < json_array_size(v); k++)
				evdigest_add(&d, json_array_get(v, k));
			digest_record(conn, digest_kinds[i].kind, &d);
		} else if (v && !digest_kinds[i].each) {
			evdigest_add(&d, v);
			digest_record(conn, digest_kinds[i].kind, &d);
		}
		json_decref(msg);
		return;
	}
}

void digest_enable(void)
{
	journal_set_out_tap(digest_out);
	tracing_digest_enable();
}
