/* test_fuzzgen.c - cdpconform fuzz's plan generator (conformance/
 * fuzz_gen.c) on a small hand-written discovery journal: the same seed
 * gives the same plan, byte for byte; other seeds give others; every rule
 * of hundreds of plans is one the scenario loader accepts; all four layers
 * come up; shrinking a number keeps the rule valid. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../conformance/fuzz.h"
#include "scenario/scenario.h"
#include "scenario/scenload.h"

Suite *fuzzgen_suite(void); /* the generated runner's entry point */

#define IN(body) "{\"conn\":1,\"dir\":\"in\",\"msg\":" body "}\n"
#define OUT(body) "{\"conn\":1,\"dir\":\"out\",\"msg\":" body "}\n"

static const char journal[] =
    IN("{\"id\":1,\"method\":\"Tracing.start\",\"params\":{\"transferMode\":\"ReturnAsStream\"}}")
	OUT("{\"id\":1,\"result\":{}}") IN("{\"id\":2,\"method\":\"Tracing.end\",\"params\":{}}")
	    OUT("{\"id\":2,\"result\":{}}")
		OUT("{\"method\":\"Tracing.dataCollected\",\"params\":{\"value\":[{\"name\":\"a\"}]}}")
		    OUT("{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
			"false,\"stream\":\"1\",\"traceFormat\":\"json\",\"streamCompression\":"
			"\"none\"}}")
			IN("{\"id\":3,\"method\":\"IO.read\",\"params\":{\"handle\":\"1\"}}")
			    "{\"conn\":1,\"dir\":\"out\",\"len\":99999,\"head\":\"{\\\"id\\\":3,"
			    "\\\"result\\\":{\\\"base64Encoded\\\":false,\\\"data\\\":\\\"{\"}\n" IN(
				"{\"id\":4,\"method\":\"IO.read\",\"params\":{\"handle\":\"1\"}}")
				OUT("{\"id\":4,\"result\":{\"base64Encoded\":false,\"data\":\"\","
				    "\"eof\":true}}");

static void model(struct fuzz_model *m)
{
	char path[] = "/tmp/test_fuzzgen.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs(journal, f);
	fclose(f);
	ck_assert_int_eq(fuzz_model_load(m, path), 0);
	unlink(path);
	m->time_limit_ms = 10000;
}

/* The plan of seed as a scenario text. */
static char *plan_text(const struct fuzz_model *m, uint64_t seed, struct fuzz_plan *keep)
{
	struct rng r;
	struct fuzz_plan p;
	rng_init(&r, seed);
	fuzz_plan_make(&p, m, &r, 6);
	json_t *rules = json_array();
	for (size_t i = 0; i < p.n; i++)
		json_array_append(rules, p.steps[i].rule);
	json_t *s = json_pack("{s:s, s:o}", "description", "t", "rules", rules);
	char *text = json_dumps(s, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(s);
	if (keep)
		*keep = p;
	else
		fuzz_plan_clear(&p);
	return text;
}

START_TEST(templates_come_from_the_journal)
{
	struct fuzz_model m;
	model(&m);
	/* replies to Tracing.start, Tracing.end, IO.read (one abbreviated),
	 * and two events */
	ck_assert_uint_eq(m.n, 5);
	int read = 0;
	for (size_t i = 0; i < m.n; i++)
		if (!strcmp(m.t[i].method, "IO.read")) {
			read = 1;
			ck_assert_str_eq(m.t[i].kind, "reply");
			ck_assert_uint_eq(m.t[i].count, 2);
			ck_assert_uint_eq(m.t[i].len, 99999);
			ck_assert_ptr_null(m.t[i].live[0]); /* the journal kept only its head */
			ck_assert_ptr_nonnull(m.t[i].live[1]);
		}
	ck_assert(read);
	fuzz_model_clear(&m);
}
END_TEST

/* A second discovery journal that sends other trace events marks the
 * dataCollected template unstable, and only that one. */
START_TEST(unstable_templates)
{
	struct fuzz_model m;
	model(&m);
	char path[] = "/tmp/test_fuzzgen2.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	const char *at = strstr(journal, "{\"name\":\"a\"}");
	ck_assert_ptr_nonnull(at);
	fprintf(f, "%.*s{\"name\":\"b\"}%s", (int)(at - journal), journal, at + 12);
	fclose(f);
	ck_assert_int_eq(fuzz_model_compare(&m, path), 0);
	unlink(path);
	for (size_t i = 0; i < m.n; i++)
		ck_assert_int_eq(m.t[i].unstable, !strcmp(m.t[i].method, "Tracing.dataCollected"));
	fuzz_model_clear(&m);
}
END_TEST

START_TEST(same_seed_same_plan)
{
	struct fuzz_model m;
	model(&m);
	for (uint64_t seed = 1; seed < 50; seed++) {
		char *a = plan_text(&m, seed, NULL), *b = plan_text(&m, seed, NULL);
		char *c = plan_text(&m, seed + 1000, NULL);
		ck_assert_str_eq(a, b);
		ck_assert_str_ne(a, c);
		free(a);
		free(b);
		free(c);
	}
	fuzz_model_clear(&m);
}
END_TEST

START_TEST(every_plan_loads)
{
	struct fuzz_model m;
	int layers[4] = {0};
	model(&m);
	for (uint64_t seed = 1; seed <= 400; seed++) {
		struct fuzz_plan p;
		char *text = plan_text(&m, seed, &p);
		struct buf err;
		struct scenario *sc = NULL;
		buf_init(&err, 0);
		int rc = scenload_text(text, strlen(text), "plan.json", &err, &sc);
		ck_assert_msg(rc == 0, "seed %llu: %s\n%s", (unsigned long long)seed,
			      err.data ? err.data : "?", text);
		scenario_free(sc);
		buf_clear(&err);
		for (size_t i = 0; i < p.n; i++) {
			layers[p.steps[i].layer]++;
			ck_assert_ptr_nonnull(p.steps[i].label);
			/* a smaller number is still a valid rule */
			for (int t = 0;; t++) {
				struct fuzz_step s = {0};
				int sr = fuzz_step_shrink(&p.steps[i], t, &s);
				if (sr < 0)
					break;
				if (!sr)
					continue;
				json_t *doc = json_pack("{s:s, s:[O]}", "description", "t", "rules",
							s.rule);
				char *st = json_dumps(doc, JSON_COMPACT);
				buf_init(&err, 0);
				ck_assert_msg(scenload_text(st, strlen(st), "s.json", &err, &sc) == 0,
					      "%s", err.data ? err.data : "?");
				scenario_free(sc);
				buf_clear(&err);
				free(st);
				json_decref(doc);
				json_decref(s.rule);
				free(s.label);
			}
		}
		fuzz_plan_clear(&p);
		free(text);
	}
	for (int l = 0; l < 4; l++)
		ck_assert_int_gt(layers[l], 20);
	fuzz_model_clear(&m);
}
END_TEST

/* A child session's replies, more of one kind than the model keeps in
 * full (4): every plan of thousands is made (a step aimed at the sixth
 * reply once read past the four kept), and the envelope's fields are
 * mutated as the body's are: some step drops a reply's sessionId, some
 * gives its id another type, and those steps count as data lost. */
START_TEST(envelope_fields_are_fields)
{
	char path[] = "/tmp/test_fuzzgen3.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	for (int i = 1; i <= 7; i++) {
		fprintf(f, IN("{\"id\":%d,\"method\":\"IO.read\",\"sessionId\":\"S1\","
			      "\"params\":{\"handle\":\"1\"}}"), i);
		fprintf(f, OUT("{\"id\":%d,\"result\":{\"data\":\"ab\",\"eof\":%s},"
			       "\"sessionId\":\"S1\"}"), i, i == 7 ? "true" : "false");
	}
	fclose(f);
	struct fuzz_model m;
	ck_assert_int_eq(fuzz_model_load(&m, path), 0);
	unlink(path);
	m.time_limit_ms = 10000;
	int dropped = 0, id_retyped = 0;
	for (uint64_t seed = 1; seed <= 3000; seed++) {
		struct fuzz_plan p;
		char *text = plan_text(&m, seed, &p);
		for (size_t i = 0; i < p.n; i++) {
			const char *l = p.steps[i].label;
			dropped += strstr(l, "required sessionId dropped") != NULL;
			id_retyped += !strncmp(l, "schema: id of a wrong type", 26);
			/* a message sent elsewhere is a message lost: no client
			 * can keep the data it held */
			if (strstr(l, "required sessionId dropped") ||
			    !strncmp(l, "schema: unknown sessionId", 25) ||
			    !strncmp(l, "schema: id of a wrong type", 26))
				ck_assert_msg(p.steps[i].flags & FUZZ_LOSSY, "%s", l);
		}
		fuzz_plan_clear(&p);
		free(text);
	}
	ck_assert_int_gt(dropped, 0);
	ck_assert_int_gt(id_retyped, 0);
	fuzz_model_clear(&m);
}
END_TEST

START_TEST(flags_of_a_plan)
{
	struct fuzz_step st[2] = {{.flags = FUZZ_BENIGN}, {.flags = FUZZ_LOSSY}};
	struct fuzz_plan p = {st, 1};
	ck_assert_int_eq(fuzz_plan_flags(&p), FUZZ_BENIGN);
	p.n = 2;
	ck_assert_int_eq(fuzz_plan_flags(&p), FUZZ_LOSSY);
	p.n = 0;
	ck_assert_int_eq(fuzz_plan_flags(&p), FUZZ_BENIGN);
}
END_TEST

Suite *fuzzgen_suite(void)
{
	Suite *s = suite_create("fuzzgen");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, templates_come_from_the_journal);
	tcase_add_test(tc, unstable_templates);
	tcase_add_test(tc, same_seed_same_plan);
	tcase_add_test(tc, every_plan_loads);
	tcase_add_test(tc, envelope_fields_are_fields);
	tcase_add_test(tc, flags_of_a_plan);
	suite_add_tcase(s, tc);
	return s;
}
