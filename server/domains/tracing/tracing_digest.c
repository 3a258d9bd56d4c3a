/* tracing_digest.c - a trace's count and digest for cdpconform (see
 * tracing_digest.h).  Not on any path unless --digests is given. */
#include "domains/tracing/tracing_digest.h"

#include "buf.h"
#include "evdigest.h"
#include "gen/trace.h"
#include "journal.h"

/* Events per batch: the buffer stays small whatever the trace's size. */
#define TRACING_DIGEST_BATCH 4096

static int tracing_digest_on;

void tracing_digest_enable(void)
{
	tracing_digest_on = 1;
}

void tracing_digest(unsigned conn, const struct trace_params *p)
{
	if (!tracing_digest_on)
		return;
	struct trace_gen *g = trace_gen_new(p);
	struct evdigest d;
	struct buf b;
	int rc = g ? 0 : -1;
	evdigest_init(&d);
	buf_init(&b, 0);
	for (size_t n = 1; !rc && n;) {
		buf_reset(&b);
		rc = buf_addc(&b, '[');
		if (!rc)
			rc = trace_gen_next(g, &b, SIZE_MAX, TRACING_DIGEST_BATCH, &n);
		if (!rc)
			rc = buf_addc(&b, ']');
		if (!rc)
			rc = evdigest_add_items(&d, b.data, b.len, NULL);
	}
	if (!rc) {
		buf_reset(&b);
		rc = evdigest_note(&b, "trace", &d);
	}
	if (rc)
		journal_note(conn, "digest: the trace could not be regenerated");
	else
		journal_note_json(conn, b.data, b.len);
	buf_clear(&b);
	trace_gen_free(g);
}
