/* scripts.c - the seeded synthetic script set (see scripts.h).  Functions are
 * laid out by slicing a parent's body into slots: each slot holds one nested
 * function and the gaps around it hold the parent's own blocks, so every
 * range nests by construction.  Not a JavaScript model: the source text
 * (scripts_source) is drawn around the layout, not the other way round. */
#include "scripts.h"

#include "cdpm.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPTS_MIN_SLOT 32u /* smallest slot worth a nested function */
#define SCRIPTS_MIN_GAP 16u  /* smallest gap worth a block */
#define SCRIPTS_MAX_NEST 3   /* nested function depth below the top level */

/* Readable names for unminified bundles, short ones for minified code (the
 * "t.value" kind is what Chrome reports for minified class methods). */
static const char *const scripts_names[] = {
    "renderList", "handleClick",  "fetchData",	 "updateState", "dispatch",
    "reducer",	  "formatDate",	  "parseQuery",	 "debounce",	"throttle",
    "onMessage",  "scheduleWork", "performWork", "commitRoot",	"createElement",
    "setState",	  "render",	  "mount",	 "resolve",	"then",
    "next",	  "step",	  "tick",	 "compute",	"hashString",
    "validate",	  "serialize",	  "emit",	 "listener",	"init",
    "bootstrap",  "loadModule",	  "request",	 "onLoad",	"animate",
    "measure",	  "layoutItems",  "drawChart",	 "App.render",	"Store.subscribe",
};
static const char *const scripts_min_names[] = {
    "t", "e", "n", "r",	      "o",	   "i",	       "a",	    "s",      "u",
    "c", "l", "f", "t.value", "e.exports", "n.render", "r.default", "o.next", "a.set",
};
static const char *const scripts_bundles[] = {
    "app",	 "main",    "runtime", "vendor", "polyfills", "chunk-vendors",
    "analytics", "widgets", "router",  "i18n",	 "charts",    "editor",
};

struct scripts_ctx {
	struct scripts *s;
	struct rng rng;
	uint32_t si;	 /* the script being laid out */
	uint32_t budget; /* functions still to place in it */
	int minified;
};

static uint32_t scripts_rand(struct scripts_ctx *c, uint32_t n)
{
	return n ? (uint32_t)rng_below(&c->rng, n) : 0;
}

void scripts_position(const struct scripts *s, uint32_t si, uint32_t off, int32_t *line,
		      int32_t *column)
{
	uint32_t ll = s->script[si].line_len;
	*line = (int32_t)(off / ll);
	*column = (int32_t)(off % ll);
}

static const char *scripts_pick_name(struct scripts_ctx *c)
{
	/* Callbacks and arrow functions are anonymous: Chrome reports "". */
	if (scripts_rand(c, 6) == 0)
		return "";
	if (c->minified)
		return scripts_min_names[scripts_rand(c, CDPM_ARRAY_LEN(scripts_min_names))];
	return scripts_names[scripts_rand(c, CDPM_ARRAY_LEN(scripts_names))];
}

static uint32_t scripts_add_fn(struct scripts_ctx *c, uint32_t parent, uint32_t start, uint32_t end,
			       const char *name)
{
	struct scripts *s = c->s;
	uint32_t fi = (uint32_t)s->nfns++;
	struct scripts_fn *f = &s->fn[fi];
	f->name = name;
	f->script = c->si;
	f->parent = parent;
	f->nested_end = fi + 1;
	f->start = start;
	f->end = end;
	scripts_position(s, c->si, start, &f->line, &f->column);
	f->end_line = (int32_t)((end - 1) / s->script[c->si].line_len);
	f->first_block = (uint32_t)s->nblocks;
	f->nblocks = 0;
	return fi;
}

/* Maybe puts a block (and maybe one block inside it) strictly inside the
 * gap [gs, ge) of the function being laid out; local[] collects them. */
static void scripts_gap_blocks(struct scripts_ctx *c, struct scripts_block *local, uint32_t *nb,
			       uint32_t gs, uint32_t ge)
{
	if (ge - gs < SCRIPTS_MIN_GAP || *nb >= SCRIPTS_MAX_BLOCKS || scripts_rand(c, 2))
		return;
	uint32_t q = (ge - gs) / 4;
	struct scripts_block *o = &local[(*nb)++];
	o->start = gs + 1 + scripts_rand(c, q);
	o->end = ge - 1 - scripts_rand(c, q);
	o->parent = SCRIPTS_NONE;
	if (o->end - o->start < SCRIPTS_MIN_GAP || *nb >= SCRIPTS_MAX_BLOCKS || scripts_rand(c, 3))
		return;
	q = (o->end - o->start) / 4;
	struct scripts_block *in = &local[*nb];
	in->start = o->start + 1 + scripts_rand(c, q);
	in->end = o->end - 1 - scripts_rand(c, q);
	in->parent = *nb - 1;
	(*nb)++;
}

/* Lays out the body [s, e) of function fi at nesting depth: nested
 * functions in slots, fi's own blocks in the gaps.  Recursion is bounded by
 * SCRIPTS_MAX_NEST. */
static void scripts_layout(struct scripts_ctx *c, uint32_t fi, uint32_t s, uint32_t e, int depth)
{
	struct scripts_block local[SCRIPTS_MAX_BLOCKS];
	uint32_t nb = 0, span = e - s, n;

	if (depth == 0)
		n = c->budget * 2 / 3 + 1;
	else if (depth <= SCRIPTS_MAX_NEST && scripts_rand(c, 3) == 0)
		n = 1 + scripts_rand(c, 3);
	else
		n = 0;
	if (n > c->budget)
		n = c->budget;
	if (n > span / SCRIPTS_MIN_SLOT)
		n = span / SCRIPTS_MIN_SLOT;
	if (n == 0) {
		scripts_gap_blocks(c, local, &nb, s, e);
	} else {
		uint32_t slot = span / n;
		for (uint32_t i = 0; i < n && c->budget > 0; i++) {
			uint32_t ss = s + i * slot, se = ss + slot;
			/* gap <= slot/4 and len < 3*slot/4, so the function
			 * ends strictly inside its slot. */
			uint32_t fs = ss + 1 + scripts_rand(c, slot / 4);
			uint32_t fe = fs + slot / 4 + scripts_rand(c, slot / 2);
			scripts_gap_blocks(c, local, &nb, ss, fs);
			c->budget--;
			uint32_t child = scripts_add_fn(c, fi, fs, fe, scripts_pick_name(c));
			/* The body starts after the "function name(args) {". */
			uint32_t hdr = 4 + scripts_rand(c, (fe - fs) / 8);
			scripts_layout(c, child, fs + hdr, fe - 1, depth + 1);
			scripts_gap_blocks(c, local, &nb, fe, se);
		}
	}
	struct scripts_fn *f = &c->s->fn[fi];
	f->nested_end = (uint32_t)c->s->nfns;
	f->first_block = (uint32_t)c->s->nblocks;
	f->nblocks = nb;
	for (uint32_t i = 0; i < nb; i++) {
		struct scripts_block *b = &c->s->block[c->s->nblocks++];
		*b = local[i];
		if (b->parent != SCRIPTS_NONE)
			b->parent += f->first_block;
	}
}

/* Picks the url, length and layout of script si; *next_id is the next
 * scriptId (Chrome numbers every compiled script, so ids have gaps). */
static void scripts_make(struct scripts_ctx *c, uint32_t si, uint32_t *next_id)
{
	struct scripts_script *sc = &c->s->script[si];
	int eval = si > 0 && scripts_rand(c, 6) == 0;
	const char *name = scripts_bundles[scripts_rand(c, CDPM_ARRAY_LEN(scripts_bundles))];
	uint32_t nfns;

	snprintf(sc->id, sizeof(sc->id), "%u", (unsigned)*next_id);
	*next_id += 1 + (scripts_rand(c, 4) == 0 ? scripts_rand(c, 5) : 0);
	c->minified = 0;
	if (eval) {
		/* eval()/new Function() code has no sourceURL: url "". */
		sc->url[0] = '\0';
		sc->length = 40 + scripts_rand(c, 2000);
		nfns = 1 + scripts_rand(c, 3);
	} else if (scripts_rand(c, 4) == 0) {
		snprintf(sc->url, sizeof(sc->url), "https://example.test/js/%s.js", name);
		sc->length = 2000 + scripts_rand(c, 60000);
		nfns = 3 + scripts_rand(c, SCRIPTS_MAX_FNS - 2);
	} else {
		snprintf(sc->url, sizeof(sc->url), "https://example.test/static/js/%s.%06x.js",
			 name, (unsigned)(rng_next(&c->rng) & 0xFFFFFF));
		c->minified = scripts_rand(c, 2) == 0;
		sc->length =
		    c->minified ? 20000 + scripts_rand(c, 280000) : 2000 + scripts_rand(c, 60000);
		nfns = 3 + scripts_rand(c, SCRIPTS_MAX_FNS - 2);
	}
	/* Minified bundles are a few very long lines; readable code is not. */
	sc->line_len = c->minified ? 16384 + scripts_rand(c, 49152) : 30 + scripts_rand(c, 80);
	sc->first_fn = (uint32_t)c->s->nfns;
	c->si = si;
	c->budget = nfns - 1;
	uint32_t top = scripts_add_fn(c, SCRIPTS_NONE, 0, sc->length, "");
	scripts_layout(c, top, 0, sc->length, 0);
	sc->nfns = (uint32_t)c->s->nfns - sc->first_fn;
}

int scripts_new(uint64_t seed, struct scripts **out)
{
	struct scripts_ctx c;
	struct scripts *s;
	int rc = CDPM_ENOMEM;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out;
	s->script = calloc(SCRIPTS_MAX_SCRIPTS, sizeof(*s->script));
	s->fn = calloc(SCRIPTS_MAX_SCRIPTS * SCRIPTS_MAX_FNS, sizeof(*s->fn));
	s->block =
	    calloc(SCRIPTS_MAX_SCRIPTS * SCRIPTS_MAX_FNS * SCRIPTS_MAX_BLOCKS, sizeof(*s->block));
	if (!s->script || !s->fn || !s->block)
		goto out;
	c.s = s;
	rng_init(&c.rng, seed);
	s->nscripts = 4 + scripts_rand(&c, SCRIPTS_MAX_SCRIPTS - 3);
	uint32_t next_id = 3 + scripts_rand(&c, 3);
	for (uint32_t i = 0; i < s->nscripts; i++)
		scripts_make(&c, i, &next_id);
	*out = s;
	s = NULL;
	rc = 0;
out:
	scripts_free(s);
	return rc;
}

void scripts_free(struct scripts *s)
{
	if (!s)
		return;
	free(s->script);
	free(s->fn);
	free(s->block);
	free(s);
}

/* ---- source text ---- */

/* Writes text at p of the script's text t unless it would run into limit. */
static void scripts_put(char *t, uint32_t p, uint32_t limit, const char *text)
{
	size_t n = strlen(text);
	if (p + n <= limit)
		memcpy(t + p, text, n);
}

/* The header of function f: space for it runs up to its first nested
 * function or block, which the layout keeps at least 5 bytes away. */
static void scripts_header(const struct scripts *s, const struct scripts_fn *f, uint32_t fi,
			   char *t)
{
	uint32_t room = f->end - 1;
	if (fi + 1 < f->nested_end && s->fn[fi + 1].start < room)
		room = s->fn[fi + 1].start;
	for (uint32_t b = f->first_block; b < f->first_block + f->nblocks; b++)
		if (s->block[b].start < room)
			room = s->block[b].start;
	char h[96];
	if (!*f->name)
		snprintf(h, sizeof(h), "function(){");
	else if (strchr(f->name, '.'))
		snprintf(h, sizeof(h), "%s=function(){", f->name);
	else
		snprintf(h, sizeof(h), "function %s(){", f->name);
	if (f->start + strlen(h) > room)
		snprintf(h, sizeof(h), "()=>{");
	scripts_put(t, f->start, room, h);
}

int scripts_source(const struct scripts *s, uint32_t si, struct buf *out)
{
	static const char filler[] = "n=n+1;";
	const struct scripts_script *sc = &s->script[si];
	int rc = buf_reserve(out, sc->length);
	if (rc)
		return rc;
	char *t = out->data + out->len;
	for (uint32_t i = 0; i < sc->length; i++)
		t[i] = filler[i % (sizeof(filler) - 1)];
	/* The top level (fn[first_fn]) spans the script and has no header. */
	for (uint32_t fi = sc->first_fn; fi < sc->first_fn + sc->nfns; fi++) {
		const struct scripts_fn *f = &s->fn[fi];
		if (fi != sc->first_fn) {
			scripts_header(s, f, fi, t);
			t[f->end - 1] = '}';
		}
		for (uint32_t b = f->first_block; b < f->first_block + f->nblocks; b++) {
			t[s->block[b].start] = '{';
			t[s->block[b].end - 1] = '}';
		}
	}
	/* Line breaks last: a line is line_len bytes with its '\n'. */
	for (uint32_t i = sc->line_len - 1; i < sc->length; i += sc->line_len)
		t[i] = '\n';
	out->len += sc->length;
	out->data[out->len] = '\0';
	return 0;
}
