/* scenario.c - the scenario in force, its defaults and its storage (see
 * scenario.h).  The loader (scenload.c) fills a struct scenario; this file
 * only owns it.  The arena keeps the many small compiled pieces of a
 * scenario (rules, steps, decoded bytes) in a few blocks freed together. */
#include "scenario/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "server.h"

/* Arena blocks: big requests get a block of their own. */
#define SCENARIO_BLOCK ((size_t)16 * 1024)
#define SCENARIO_ARENA_CAP (SCENARIO_MAX_FILE * 4)

struct scenario_block {
	struct scenario_block *next;
	size_t used, size;
	size_t total; /* bytes in this block and all older ones */
	max_align_t data[];
};

static struct scenario *scenario_active;
static struct scenario scenario_builtin;
static int scenario_builtin_ready;

void scenario_defaults(struct scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->name = "default";
	sc->description = "Chrome's default behaviour";
	sc->tracing.chunk_bytes = 65536;
	sc->tracing.chunk_events = 515;
	sc->io.read_chunk = 10485760;
	sc->profiler.interval_us = 1000;
}

const struct scenario *scenario_current(void)
{
	if (scenario_active)
		return scenario_active;
	if (!scenario_builtin_ready) {
		scenario_defaults(&scenario_builtin);
		scenario_builtin_ready = 1;
	}
	return &scenario_builtin;
}

struct scenario *scenario_new(void)
{
	struct scenario *sc = malloc(sizeof(*sc));
	if (sc)
		scenario_defaults(sc);
	return sc;
}

void *scenario_alloc(struct scenario *sc, size_t n)
{
	struct scenario_block *b = sc->arena;
	size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	if (!n)
		n = align;
	if (b && b->size - b->used >= n) {
		void *p = (char *)b->data + b->used;
		b->used += n;
		return p;
	}
	size_t size = n > SCENARIO_BLOCK / 2 ? n : SCENARIO_BLOCK;
	size_t total = (b ? b->total : 0) + size;
	if (total > SCENARIO_ARENA_CAP)
		return NULL;
	struct scenario_block *nb = calloc(1, sizeof(*nb) + size);
	if (!nb)
		return NULL;
	nb->size = size;
	nb->used = n;
	nb->total = total;
	/* A dedicated block goes behind the current one so the current one
	 * keeps serving small requests. */
	if (b && size == n && n > SCENARIO_BLOCK / 2) {
		nb->next = b->next;
		b->next = nb;
	} else {
		nb->next = b;
		sc->arena = nb;
	}
	return nb->data;
}

static void scenario_clear(struct scenario *sc)
{
	struct scenario_block *b = sc->arena, *n;
	for (; b; b = n) {
		n = b->next;
		free(b);
	}
	json_decref(sc->root);
	free(sc->path);
	memset(sc, 0, sizeof(*sc));
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	scenario_clear(sc);
	free(sc);
}

void scenario_install(struct scenario *sc)
{
	struct scenario *old = scenario_active;
	scenario_active = sc;
	scenario_apply_identity(scenario_current());
	scenario_free(old);
}

void scenario_fini(void)
{
	scenario_free(scenario_active);
	scenario_active = NULL;
}

void scenario_apply_identity(const struct scenario *sc)
{
	const struct scenario_browser *b = &sc->browser;
	const struct server_identity *d = &server_chrome156;
	server.id.product = b->product ? b->product : d->product;
	server.id.revision = b->revision ? b->revision : d->revision;
	server.id.user_agent = b->user_agent ? b->user_agent : d->user_agent;
	server.id.js_version = b->js_version ? b->js_version : d->js_version;
	server.id.protocol_version = b->protocol_version ? b->protocol_version
							 : d->protocol_version;
	server.id.webkit_version = b->webkit_version ? b->webkit_version : d->webkit_version;
}
