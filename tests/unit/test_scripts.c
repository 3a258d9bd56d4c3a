/* test_scripts.c - the synthetic script set: plausible ids and urls,
 * functions and blocks whose source ranges nest properly, positions that
 * agree with offsets, and one set per seed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gen/scripts.h"
#include "require.h"

Suite *scripts_suite(void); /* the generated runner's entry point */

#define SEEDS 200

static int contains(uint32_t os, uint32_t oe, uint32_t s, uint32_t e)
{
	return os <= s && e <= oe;
}

static int apart(uint32_t os, uint32_t oe, uint32_t s, uint32_t e)
{
	return e <= os || oe <= s;
}

static int is_ancestor(const struct scripts *s, uint32_t a, uint32_t x)
{
	for (x = s->fn[x].parent; x != SCRIPTS_NONE; x = s->fn[x].parent)
		if (x == a)
			return 1;
	return 0;
}

static void check_fn(const struct scripts *s, uint32_t si, uint32_t fi)
{
	const struct scripts_script *sc = &s->script[si];
	const struct scripts_fn *f = &s->fn[fi];
	int32_t line, col;
	REQUIRE_EQ(f->script, si);
	REQUIRE(f->start < f->end && f->end <= sc->length);
	scripts_position(s, si, f->start, &line, &col);
	REQUIRE_EQ(line, f->line);
	REQUIRE_EQ(col, f->column);
	REQUIRE_GE(f->end_line, f->line);
	REQUIRE(f->nested_end > fi && f->nested_end <= sc->first_fn + sc->nfns);
	if (fi == sc->first_fn) {
		REQUIRE_STR_EQ(f->name, "");
		REQUIRE_EQ(f->parent, SCRIPTS_NONE);
		REQUIRE_EQ(f->start, 0);
		REQUIRE_EQ(f->end, sc->length);
		REQUIRE_EQ(f->nested_end, sc->first_fn + sc->nfns);
	} else {
		const struct scripts_fn *p = &s->fn[f->parent];
		REQUIRE(f->parent >= sc->first_fn && f->parent < fi);
		REQUIRE(p->start < f->start && f->end < p->end);
	}
	/* Functions nest or are disjoint, and nest exactly along parents. */
	for (uint32_t gi = sc->first_fn; gi < sc->first_fn + sc->nfns; gi++) {
		const struct scripts_fn *g = &s->fn[gi];
		if (gi == fi)
			continue;
		int in = contains(g->start, g->end, f->start, f->end);
		REQUIRE(in || apart(g->start, g->end, f->start, f->end) ||
			contains(f->start, f->end, g->start, g->end));
		REQUIRE_EQ(in, is_ancestor(s, gi, fi));
		REQUIRE_EQ(gi > fi && gi < f->nested_end, is_ancestor(s, fi, gi));
	}
	REQUIRE(f->nblocks <= SCRIPTS_MAX_BLOCKS);
	for (uint32_t b = f->first_block; b < f->first_block + f->nblocks; b++) {
		const struct scripts_block *k = &s->block[b];
		REQUIRE(f->start < k->start && k->start < k->end && k->end < f->end);
		if (k->parent != SCRIPTS_NONE) {
			const struct scripts_block *p = &s->block[k->parent];
			REQUIRE(k->parent >= f->first_block && k->parent < b);
			REQUIRE(p->start < k->start && k->end < p->end);
		}
		/* Earlier blocks either hold this one (its parent) or lie apart. */
		for (uint32_t c = f->first_block; c < b; c++) {
			const struct scripts_block *o = &s->block[c];
			if (contains(o->start, o->end, k->start, k->end))
				REQUIRE_EQ(c, k->parent);
			else
				REQUIRE(apart(o->start, o->end, k->start, k->end));
		}
		/* A block is the function's own code: outside its closures. */
		for (uint32_t gi = fi + 1; gi < f->nested_end; gi++)
			REQUIRE(apart(s->fn[gi].start, s->fn[gi].end, k->start, k->end));
	}
}

START_TEST(every_set_is_plausible_and_nests_properly)
{
	struct scripts *s;
	REQUIRE_EQ(scripts_new((uint64_t)_i * 2654435761u, &s), 0);
	REQUIRE(s->nscripts >= 4 && s->nscripts <= SCRIPTS_MAX_SCRIPTS);
	long last = 2;
	size_t nfns = 0;
	for (uint32_t si = 0; si < s->nscripts; si++) {
		const struct scripts_script *sc = &s->script[si];
		char *end;
		long id = strtol(sc->id, &end, 10);
		REQUIRE(*end == '\0' && id > last);
		last = id;
		REQUIRE(sc->url[0] == '\0' ? si > 0
					   : !strncmp(sc->url, "https://example.test/", 21));
		REQUIRE(sc->nfns >= 1 && sc->nfns <= SCRIPTS_MAX_FNS);
		REQUIRE_EQ(sc->first_fn, nfns);
		nfns += sc->nfns;
		for (uint32_t k = 0; k < sc->nfns; k++)
			check_fn(s, si, sc->first_fn + k);
	}
	REQUIRE_EQ(nfns, s->nfns);
	scripts_free(s);
}
END_TEST

static void describe(const struct scripts *s, struct buf *b)
{
	buf_init(b, 0);
	for (size_t i = 0; i < s->nscripts; i++)
		buf_printf(b, "%s %s %u %u\n", s->script[i].id, s->script[i].url,
			   (unsigned)s->script[i].length, (unsigned)s->script[i].nfns);
	for (size_t i = 0; i < s->nfns; i++)
		buf_printf(b, "%s %u %u %u\n", s->fn[i].name, (unsigned)s->fn[i].start,
			   (unsigned)s->fn[i].end, (unsigned)s->fn[i].nblocks);
	for (size_t i = 0; i < s->nblocks; i++)
		buf_printf(b, "%u %u %u\n", (unsigned)s->block[i].start, (unsigned)s->block[i].end,
			   (unsigned)s->block[i].parent);
}

START_TEST(one_seed_gives_one_set)
{
	struct scripts *a, *b, *c;
	struct buf da, db, dc;
	REQUIRE_EQ(scripts_new((uint64_t)_i, &a), 0);
	REQUIRE_EQ(scripts_new((uint64_t)_i, &b), 0);
	REQUIRE_EQ(scripts_new((uint64_t)_i + 1, &c), 0);
	describe(a, &da);
	describe(b, &db);
	describe(c, &dc);
	REQUIRE_STR_EQ(da.data, db.data);
	REQUIRE_STR_NE(da.data, dc.data);
	buf_clear(&da);
	buf_clear(&db);
	buf_clear(&dc);
	scripts_free(a);
	scripts_free(b);
	scripts_free(c);
	scripts_free(NULL);
}
END_TEST

START_TEST(sets_mix_bundles_eval_code_and_names)
{
	int eval = 0, minified = 0, named = 0, anon = 0;
	for (uint64_t seed = 0; seed < 50; seed++) {
		struct scripts *s;
		REQUIRE_EQ(scripts_new(seed, &s), 0);
		for (size_t i = 0; i < s->nscripts; i++) {
			eval += s->script[i].url[0] == '\0';
			minified += s->script[i].line_len > 10000;
		}
		for (size_t i = 0; i < s->nfns; i++) {
			if (s->fn[i].parent == SCRIPTS_NONE)
				continue;
			named += s->fn[i].name[0] != '\0';
			anon += s->fn[i].name[0] == '\0';
		}
		scripts_free(s);
	}
	REQUIRE(eval > 0 && minified > 0 && named > anon && anon > 0);
}
END_TEST

/* The source text: its length, a line break exactly where the layout ends
 * a line (so a function's line and column point into the text), and each
 * function sliced by its range reads as one: a header, then "}" last. */
START_TEST(sources_fit_the_layout)
{
	struct scripts *s;
	REQUIRE_EQ(scripts_new((uint64_t)_i * 7919, &s), 0);
	struct buf b, again;
	buf_init(&b, 0);
	buf_init(&again, 0);
	for (uint32_t si = 0; si < s->nscripts; si++) {
		const struct scripts_script *sc = &s->script[si];
		buf_reset(&b);
		REQUIRE_EQ(scripts_source(s, si, &b), 0);
		REQUIRE_EQ(b.len, sc->length);
		REQUIRE_EQ(strlen(b.data), sc->length);
		for (uint32_t o = 0; o < sc->length; o++) {
			REQUIRE(b.data[o] >= 0x20 || b.data[o] == '\n');
			REQUIRE_EQ(b.data[o] == '\n', o % sc->line_len == sc->line_len - 1);
		}
		for (uint32_t fi = sc->first_fn + 1; fi < sc->first_fn + sc->nfns; fi++) {
			const struct scripts_fn *f = &s->fn[fi];
			const char *h = b.data + f->start;
			if (f->end % sc->line_len)
				REQUIRE_EQ(b.data[f->end - 1], '}');
			/* A line break may land in a header; the rest is intact. */
			if (memchr(h, '\n', strlen(f->name) + 16))
				continue;
			REQUIRE(!strncmp(h, "function", 8) || !strncmp(h, "()=>{", 5) ||
				!strncmp(h + strlen(f->name), "=function(){", 12));
		}
		buf_reset(&again);
		REQUIRE_EQ(scripts_source(s, si, &again), 0);
		REQUIRE(!memcmp(again.data, b.data, b.len));
	}
	buf_clear(&b);
	buf_clear(&again);
	scripts_free(s);
}
END_TEST

Suite *scripts_suite(void)
{
	Suite *s = suite_create("scripts");
	TCase *tc = tcase_create("properties");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, every_set_is_plausible_and_nests_properly, 0, SEEDS);
	tcase_add_loop_test(tc, one_seed_gives_one_set, 0, 50);
	tcase_add_test(tc, sets_mix_bundles_eval_code_and_names);
	tcase_add_loop_test(tc, sources_fit_the_layout, 0, 20);
	suite_add_tcase(s, tc);
	return s;
}
