/* test_scenload.c - the scenario loader: every example of
 * docs/scenario-format.md loads (as jq's man.test runs its manual), knobs
 * land in the struct, and each kind of mistake gets its one line of
 * "file:line:column: path: expected X, found Y". */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "scenario/scenario.h"
#include "scenario/scenload.h"

Suite *scenload_suite(void); /* the generated runner's entry point */

static struct buf doc;
static size_t n_examples;
static size_t example_at[64], example_len[64];

/* Reads the spec and finds its ```json blocks. */
static void examples_load(void)
{
	const char *dir = getenv("CDPM_SRCDIR");
	char path[1024];
	snprintf(path, sizeof(path), "%s/docs/scenario-format.md", dir ? dir : ".");
	FILE *f = fopen(path, "r");
	buf_init(&doc, 0);
	if (!f)
		return;
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&doc, tmp, n);
	fclose(f);
	const char *p = doc.data;
	while (n_examples < 64 && (p = strstr(p, "\n```json\n"))) {
		p += 9;
		const char *end = strstr(p, "\n```\n");
		if (!end)
			break;
		example_at[n_examples] = (size_t)(p - doc.data);
		example_len[n_examples++] = (size_t)(end - p) + 1;
		p = end;
	}
}

START_TEST(spec_has_examples)
{
	ck_assert_msg(doc.len > 0, "docs/scenario-format.md not found (run from the source tree)");
	ck_assert_uint_ge(n_examples, 10);
}
END_TEST

START_TEST(every_spec_example_loads)
{
	struct buf err;
	struct scenario *sc = NULL;
	char name[64];
	buf_init(&err, 0);
	snprintf(name, sizeof(name), "scenario-format.md#example-%d", _i + 1);
	int rc = scenload_text(doc.data + example_at[_i], example_len[_i], name, &err, &sc);
	ck_assert_msg(rc == 0, "%s", err.data ? err.data : cdpm_strerror(rc));
	ck_assert_ptr_nonnull(sc);
	ck_assert_ptr_nonnull(sc->description);
	scenario_free(sc);
	buf_clear(&err);
}
END_TEST

static struct scenario *load(const char *text, struct buf *err)
{
	struct scenario *sc = NULL;
	buf_reset(err);
	scenload_text(text, strlen(text), "t.json", err, &sc);
	return sc;
}

START_TEST(knobs_land_in_the_struct)
{
	struct buf err;
	buf_init(&err, 0);
	struct scenario *sc = load(
	    "{\"description\":\"d\",\"name\":\"n\",\"seed\":12345678901,"
	    "\"browser\":{\"product\":\"P/1\",\"userAgent\":\"UA\"},"
	    "\"targets\":{\"pages\":[{\"url\":\"https://a/\",\"title\":\"A\"},{\"url\":\"about:blank\"}]},"
	    "\"profiler\":{\"nodes\":7,\"depth\":3,\"idlePermille\":500,\"intervalUs\":250,"
	    "\"durationMs\":1.5,\"empty\":true},\"coverage\":{\"scripts\":2,\"advanceMs\":10},"
	    "\"tracing\":{\"events\":150000,\"rate\":1000.5,\"durationMs\":2000,\"categories\":[\"v8\","
	    "\"toplevel\"],\"chunkBytes\":1000,\"chunkEvents\":10,\"bufferUsage\":[0.25,1],"
	    "\"percentFull\":0.5,\"stuckFull\":true,\"dataLoss\":true,\"compression\":\"gzip\","
	    "\"completeDelayMs\":3000,\"neverComplete\":true},"
	    "\"io\":{\"readChunk\":1,\"neverEof\":true},"
	    "\"runtime\":{\"results\":[{\"function\":\"() => 1 + 1\",\"value\":2},"
	    "{\"expression\":\"boom*\",\"exception\":\"Error: boom\"},"
	    "{\"expression\":\"*\",\"result\":{\"type\":\"bigint\",\"unserializableValue\":\"1n\"}}]},"
	    "\"performance\":{\"metrics\":{\"Nodes\":42}}}",
	    &err);
	ck_assert_msg(sc != NULL, "%s", err.data);
	ck_assert_str_eq(sc->name, "n");
	ck_assert(sc->seed_set && sc->seed == UINT64_C(12345678901));
	ck_assert_str_eq(sc->browser.product, "P/1");
	ck_assert_ptr_null(sc->browser.js_version);
	ck_assert_uint_eq(sc->n_pages, 2);
	ck_assert_str_eq(sc->pages[0].title, "A");
	ck_assert_ptr_null(sc->pages[1].title);
	ck_assert_uint_eq(sc->profiler.nodes, 7);
	ck_assert_int_eq(sc->profiler.interval_us, 250);
	ck_assert_int_eq(sc->profiler.duration_us, 1500);
	ck_assert(sc->profiler.empty);
	ck_assert_int_eq(sc->coverage.advance_us, 10000);
	ck_assert_uint_eq(sc->tracing.events, 150000);
	ck_assert_double_eq(sc->tracing.rate, 1000.5);
	ck_assert_uint_eq(sc->tracing.n_categories, 2);
	ck_assert_str_eq(sc->tracing.categories[1], "toplevel");
	ck_assert_uint_eq(sc->tracing.n_buffer_usage, 2);
	ck_assert_double_eq(sc->tracing.buffer_usage[0], 0.25);
	ck_assert_int_eq(sc->tracing.compression, SCENARIO_COMPRESSION_GZIP);
	ck_assert_int_eq(sc->tracing.complete_delay_us, 3000000);
	ck_assert(sc->tracing.never_complete && sc->tracing.stuck_full && sc->tracing.data_loss);
	ck_assert_uint_eq(sc->io.read_chunk, 1);
	ck_assert(sc->io.never_eof);
	ck_assert_uint_eq(sc->runtime.n_results, 3);
	ck_assert_int_eq(sc->runtime.results[0].on, SCENARIO_EVAL_FUNCTION);
	ck_assert_str_eq(sc->runtime.results[0].pattern, "() => 1 + 1");
	ck_assert_int_eq(json_integer_value(sc->runtime.results[0].value), 2);
	ck_assert_int_eq(sc->runtime.results[1].on, SCENARIO_EVAL_EXPRESSION);
	ck_assert_str_eq(sc->runtime.results[1].exception, "Error: boom");
	ck_assert_ptr_nonnull(sc->runtime.results[2].result);
	ck_assert_int_eq(json_integer_value(json_object_get(sc->performance.metrics, "Nodes")), 42);
	/* What is not given keeps Chrome's value. */
	scenario_free(sc);
	sc = load("{\"description\":\"d\"}", &err);
	ck_assert_uint_eq(sc->tracing.chunk_bytes, 65536);
	ck_assert_uint_eq(sc->tracing.chunk_events, 515);
	ck_assert_uint_eq(sc->io.read_chunk, 10485760);
	ck_assert_int_eq(sc->profiler.interval_us, 1000);
	ck_assert(!sc->pages_set && !sc->seed_set);
	ck_assert_str_eq(sc->name, "t");
	scenario_free(sc);
	buf_clear(&err);
}
END_TEST

START_TEST(rules_compile)
{
	struct buf err;
	buf_init(&err, 0);
	struct scenario *sc = load(
	    "{\"description\":\"d\",\"rules\":["
	    "{\"name\":\"r\",\"match\":{\"method\":\"IO.*\",\"nth\":[2,null],\"session\":\"child\","
	    "\"params\":{\"handle\":\"1\"},\"state\":{\"tracing\":\"ending\",\"openStreams\":true}},"
	    "\"times\":3,\"action\":{\"delay\":{\"uniform\":[1,2]},\"stall\":true,"
	    "\"emit\":[{\"method\":\"A.b\",\"when\":\"before\",\"to\":{\"target\":\"page\"}},"
	    "{\"text\":\"x\",\"binary\":true}],\"split\":{\"sizes\":[1,2],\"gapMs\":5},"
	    "\"raw\":{\"hex\":\"de ad\"},\"close\":{\"code\":4001,\"reason\":\"r\"}}},"
	    "{\"match\":{\"direction\":\"out\",\"kind\":\"event\"},\"action\":{\"mutate\":["
	    "{\"oversize\":{\"bytes\":1000}},{\"set\":{\"path\":\"params.x\",\"value\":[1]}}],"
	    "\"frame\":{\"opcode\":2,\"payload\":{\"base64\":\"AAE=\"},\"rsv\":4,\"masked\":true}}},"
	    "{\"match\":{\"byte\":10,\"connection\":2},\"action\":{\"reset\":true}}]}",
	    &err);
	ck_assert_msg(sc != NULL, "%s", err.data);
	ck_assert_uint_eq(sc->n_rules, 3);
	const struct scenario_rule *r = &sc->rules[0];
	ck_assert_str_eq(r->name, "r");
	ck_assert_uint_eq(r->match.nth_from, 2);
	ck_assert_uint_eq(r->match.nth_to, UINT64_MAX);
	ck_assert_int_eq(r->match.session, SCENARIO_WHO_CHILD);
	ck_assert_int_eq(r->match.tracing, SCENARIO_TS_ENDING);
	ck_assert_int_eq(r->match.open_streams, 1);
	ck_assert_int_eq(r->match.profiling, -1);
	ck_assert_int_eq(r->action.delay.kind, SCENARIO_DIST_UNIFORM);
	ck_assert_double_eq(r->action.delay.b, 2000);
	ck_assert_uint_eq(r->action.n_emits, 2);
	ck_assert_int_eq(r->action.emits[0].after, 0);
	ck_assert_int_eq(r->action.emits[0].dest.to, SCENARIO_TO_TARGET);
	ck_assert_int_eq(r->action.emits[1].after, 1);
	ck_assert(r->action.emits[1].binary);
	ck_assert_uint_eq(r->action.n_split_sizes, 2);
	ck_assert_int_eq(r->action.split_gap_us, 5000);
	ck_assert_uint_eq(r->action.raw_len, 2);
	ck_assert_int_eq(r->action.raw[0], 0xde);
	ck_assert_int_eq(r->action.close_code, 4001);
	ck_assert_int_eq(r->action.throttle_bps, -1);
	r = &sc->rules[1];
	ck_assert_int_eq(r->match.dir, SCENARIO_OUT);
	ck_assert_uint_eq(r->action.n_mutations, 2);
	ck_assert_str_eq(r->action.mutations[0].path, "params.data");
	ck_assert_uint_eq(r->action.frame->len, 2);
	ck_assert_int_eq(r->action.frame->payload[1], 1);
	ck_assert(r->action.frame->masked && r->action.frame->fin);
	ck_assert_uint_eq(sc->rules[2].match.byte, 10);
	scenario_free(sc);
	buf_clear(&err);
}
END_TEST

/* One mistake per case and the line it must produce. */
static const struct {
	const char *text;
	const char *line;
} bad[] = {
	{"[]", "t.json:1:1: .: expected an object, found an array\n"},
	{"{}", "t.json:1:1: .: expected the key \"description\", found none\n"},
	{"{\"description\":\"d\",\"seed\":-1}",
	 "t.json:1:27: .seed: expected an integer from 0 to 9007199254740991, found -1\n"},
	{"{\"description\":\"d\",\"io\":{\"readChunk\":0}}",
	 "t.json:1:38: .io.readChunk: expected an integer from 1 to 2147483647, found 0\n"},
	{"{\"description\":\"d\",\"tracing\":{\"compression\":\"zip\"}}",
	 "t.json:1:45: .tracing.compression: expected one of \"asRequested\", \"none\", \"gzip\", "
	 "found string \"zip\"\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{}}]}",
	 "t.json:1:29: .rules[0]: expected the key \"action\", found none\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{\"kind\":\"event\"},\"action\":{}}]}",
	 "t.json:1:46: .rules[0].match.kind: expected \"kind\" only with \"direction\": \"out\", "
	 "found string \"event\"\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{\"byte\":3,\"method\":\"X.y\"},\"action\":{}}]}",
	 "t.json:1:57: .rules[0].match.method: expected only \"connection\" beside \"byte\", "
	 "found string \"X.y\"\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{},\"action\":{\"reply\":{\"result\":{}},"
	 "\"merge\":{}}}]}",
	 "t.json:1:50: .rules[0].action: expected \"reply\" or \"merge\"/\"replace\", not both, found "
	 "an object\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{},\"action\":{\"close\":{\"code\":1006}}}]}",
	 "t.json:1:67: .rules[0].action.close.code: expected a code a close frame may carry "
	 "(1000-1003, 1007-1014, 3000-4999), found 1006\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{},\"action\":{\"raw\":{\"hex\":\"0g\"}}}]}",
	 "t.json:1:64: .rules[0].action.raw.hex: expected hex digits, found string \"0g\"\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{\"direction\":\"out\"},\"action\":{\"reply\":{}}}]}",
	 "t.json:1:76: .rules[0].action.reply: expected an action for what the server sends "
	 "(\"reply\" and \"builtin\" act on a command: they need \"direction\": \"in\"), found an "
	 "object\n"},
	{"{\"description\":\"d\",\"rules\":[{\"match\":{},\"action\":{\"mutate\":{\"drop\":\"a..b\"}}}]}",
	 "t.json:1:68: .rules[0].action.mutate.drop: expected a dotted path such as "
	 "\"params.stream\", found string \"a..b\"\n"},
	{"{\"description\":\"d\",\"timelines\":[{\"start\":\"later\",\"steps\":[{\"at\":0}]}]}",
	 "t.json:1:42: .timelines[0].start: expected \"connect\", \"load\" or a match object, found "
	 "string \"later\"\n"},
	{"{\"description\":\"d\",\"timelines\":[{\"start\":\"load\",\"steps\":[{\"at\":0,"
	 "\"consoleProfile\":{\"start\":\"a\",\"end\":\"a\"}}]}]}",
	 "t.json:1:83: .timelines[0].steps[0].consoleProfile: expected exactly one of \"start\" and "
	 "\"end\", found an object\n"},
	{"{\"description\":\"d\",\"runtime\":{\"results\":[{\"expression\":\"x\"}]}}",
	 "t.json:1:42: .runtime.results[0]: expected exactly one of \"value\", \"result\" and "
	 "\"exception\", found an object\n"},
	{"{\"description\":\"d\",\"runtime\":{\"results\":[{\"value\":1}]}}",
	 "t.json:1:42: .runtime.results[0]: expected exactly one of \"expression\" "
	 "(Runtime.evaluate) and \"function\" (Runtime.callFunctionOn), found an object\n"},
	{"{\"description\":\"d\",\"runtime\":{\"results\":[{\"function\":\"f\",\"result\":"
	 "{\"type\":\"thing\"}}]}}",
	 "t.json:1:67: .runtime.results[0].result: expected a RemoteObject: an object with \"type\" "
	 "\"object\", \"function\", \"undefined\", \"string\", \"number\", \"boolean\", \"symbol\" "
	 "or \"bigint\", found an object\n"},
	{"{\"description\":\"d\",\"runtime\":{\"results\":[{\"expression\":\"\",\"value\":1}]}}",
	 "t.json:1:56: .runtime.results[0].expression: expected a non-empty pattern, found string "
	 "\"\"\n"},
	{"{\"description\":\"d\",\"performance\":{\"metrics\":{\"Nodes\":\"many\"}}}",
	 "t.json:1:54: .performance.metrics.Nodes: expected a number, found string \"many\"\n"},
	{"{\"description\":\"d\",\"expect\":{\"exit\":\"maybe\"}}",
	 "t.json:1:37: .expect.exit: expected an integer from 0 to 255, found string \"maybe\"\n"},
	{"{\"description\":\"d\",\"check\":{\"steps\":[{\"send\":\"A.b\",\"expect\":{}}]}}",
	 "t.json:1:38: .check.steps[0]: expected one verb per step (\"send\" or \"expect\"), found an "
	 "object\n"},
};

START_TEST(each_mistake_gets_its_line)
{
	struct buf err;
	buf_init(&err, 0);
	struct scenario *sc = load(bad[_i].text, &err);
	ck_assert_ptr_null(sc);
	ck_assert_str_eq(err.data, bad[_i].line);
	buf_clear(&err);
}
END_TEST

START_TEST(errors_are_all_reported_and_capped)
{
	struct buf text, err;
	buf_init(&text, 0);
	buf_init(&err, 0);
	buf_adds(&text, "{\"description\":\"d\",\"rules\":[");
	for (int i = 0; i < 150; i++)
		buf_printf(&text, "%s{\"match\":{\"nth\":0},\"action\":{}}", i ? "," : "");
	buf_adds(&text, "]}");
	struct scenario *sc = load(text.data, &err);
	ck_assert_ptr_null(sc);
	int lines = 0;
	for (const char *p = err.data; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, 101);
	ck_assert_ptr_nonnull(strstr(err.data, "t.json: too many errors; giving up\n"));
	buf_clear(&text);
	buf_clear(&err);
}
END_TEST

START_TEST(default_names_come_from_the_path)
{
	struct buf err;
	struct scenario *sc = NULL;
	buf_init(&err, 0);
	ck_assert_int_eq(scenload_text("{\"description\":\"d\"}", 19, "/x/scenarios/io/never-eof.json",
				       &err, &sc), 0);
	ck_assert_str_eq(sc->name, "io/never-eof");
	scenario_free(sc);
	ck_assert_int_eq(scenload_text("{\"description\":\"d\"}", 19, "/tmp/my.json", &err, &sc), 0);
	ck_assert_str_eq(sc->name, "my");
	scenario_free(sc);
	ck_assert_int_eq(scenload_file("/nonexistent.json", &err, &sc), CDPM_EIO);
	ck_assert_str_eq(err.data, "/nonexistent.json: cannot read: No such file or directory\n");
	buf_clear(&err);
}
END_TEST

Suite *scenload_suite(void)
{
	Suite *s = suite_create("scenload");
	examples_load();
	TCase *tc = tcase_create("spec");
	tcase_add_test(tc, spec_has_examples);
	tcase_add_loop_test(tc, every_spec_example_loads, 0, (int)n_examples);
	suite_add_tcase(s, tc);
	tc = tcase_create("loader");
	tcase_add_test(tc, knobs_land_in_the_struct);
	tcase_add_test(tc, rules_compile);
	tcase_add_loop_test(tc, each_mistake_gets_its_line, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, errors_are_all_reported_and_capped);
	tcase_add_test(tc, default_names_come_from_the_path);
	suite_add_tcase(s, tc);
	return s;
}
