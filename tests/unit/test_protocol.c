/* test_protocol.c - unit tests for server/protocol.c: command lookup, the
 * -32602 data texts and CBOR positions Chrome 156 gives for bad params, and
 * the vendored descriptor (embedded bytes, reference domains). */
#include "buf.h"
#include "cdpm.h"
#include "cdp/protocol.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *protocol_suite(void); /* the generated runner's entry point */

/* ---- lookup ---- */

static const struct {
	const char *method;
	int found;
} pf_cases[] = {
	{ "Profiler.setSamplingInterval", 1 },
	{ "Tracing.start", 1 },
	{ "IO.read", 1 },
	{ "Accessibility.disable", 1 }, /* first in byte order */
	{ "WebMCP.enable", 1 },
	{ "Tracing.fooBar", 0 },
	{ "profiler.enable", 0 }, /* case matters */
	{ "Profiler.", 0 },
	{ ".enable", 0 },
	{ "getVersion", 0 },
	{ "", 0 },
	{ "Tracing.dataCollected", 0 }, /* an event, not a command */
};

START_TEST(find_knows_exactly_the_descriptor_commands)
{
	const struct protocol_method *m = protocol_find(pf_cases[_i].method);
	if (pf_cases[_i].found) {
		ck_assert_ptr_nonnull(m);
		ck_assert_str_eq(m->name, pf_cases[_i].method);
	} else {
		ck_assert_ptr_null(m);
	}
}
END_TEST

START_TEST(every_table_entry_is_found_again)
{
	ck_assert_uint_gt(protocol_table_nmethods, 600);
	for (size_t i = 0; i < protocol_table_nmethods; i++) {
		if (i)
			ck_assert_int_lt(strcmp(protocol_table_methods[i - 1].name,
						protocol_table_methods[i].name), 0);
		ck_assert_ptr_eq(protocol_find(protocol_table_methods[i].name),
				 &protocol_table_methods[i]);
	}
}
END_TEST

/* ---- validation: one row per case; data NULL means accepted ---- */

struct pv_case {
	const char *name;
	const char *method;
	const char *params; /* JSON text; NULL = no params */
	const char *data;   /* expected Chrome data text, or NULL */
};

#define FD "Failed to deserialize params"

static const struct pv_case pv_cases[] = {
	/* Observed on Chromium 156 (docs/chrome.md section 2). */
	{ "a string interval wants an int32 at 17", "Profiler.setSamplingInterval",
	  "{\"interval\":\"100\"}", FD ".interval - BINDINGS: int32 value expected at position 17" },
	{ "an empty map misses the handle at its stop byte", "IO.read", "{}",
	  FD ".handle - BINDINGS: mandatory field missing at position 8" },
	{ "a string traceConfig wants a map at 20", "Tracing.start", "{\"traceConfig\":\"x\"}",
	  FD ".traceConfig - CBOR: map start expected at position 20" },
	{ "a string category list wants an array at 47", "Tracing.start",
	  "{\"traceConfig\":{\"includedCategories\":\"devtools.timeline\"}}",
	  FD ".traceConfig.includedCategories - CBOR: array start expected at position 47" },
	{ "1.5 is not an int32", "Profiler.setSamplingInterval", "{\"interval\":1.5}",
	  FD ".interval - BINDINGS: int32 value expected at position 17" },
	{ "null is not an int32", "Profiler.setSamplingInterval", "{\"interval\":null}",
	  FD ".interval - BINDINGS: int32 value expected at position 17" },
	{ "2^31 is not an int32", "Profiler.setSamplingInterval", "{\"interval\":2147483648}",
	  FD ".interval - BINDINGS: int32 value expected at position 17" },
	{ "a string is not a double", "Tracing.start", "{\"bufferUsageReportingInterval\":\"x\"}",
	  FD ".bufferUsageReportingInterval - BINDINGS: double value expected at position 38" },
	{ "a number is not a string", "Tracing.start", "{\"categories\":5}",
	  FD ".categories - BINDINGS: string value expected at position 19" },
	{ "a string is not a bool", "Tracing.requestMemoryDump", "{\"deterministic\":\"yes\"}",
	  FD ".deterministic - BINDINGS: bool value expected at position 22" },
	{ "bangs are not base64", "Tracing.start", "{\"perfettoConfig\":\"!!!!\"}",
	  FD ".perfettoConfig - BINDINGS: invalid base64 string at position 23" },
	{ "base64 needs padding", "Tracing.start", "{\"perfettoConfig\":\"QQ=\"}",
	  FD ".perfettoConfig - BINDINGS: invalid base64 string at position 23" },
	{ "base64 allows two pads at most", "Tracing.start", "{\"perfettoConfig\":\"Q===\"}",
	  FD ".perfettoConfig - BINDINGS: invalid base64 string at position 23" },
	{ "base64 has no inner pads", "Tracing.start", "{\"perfettoConfig\":\"QQ==QQ==\"}",
	  FD ".perfettoConfig - BINDINGS: invalid base64 string at position 23" },
	{ "a number is not binary", "Tracing.start", "{\"perfettoConfig\":5}",
	  FD ".perfettoConfig - BINDINGS: binary value expected at position 23" },
	{ "a non-ASCII string is not binary", "Tracing.start", "{\"perfettoConfig\":\"\\u00e9\"}",
	  FD ".perfettoConfig - BINDINGS: binary value expected at position 23" },

	/* Nesting. */
	{ "a nested field names its whole path", "Tracing.start",
	  "{\"traceConfig\":{\"traceBufferSizeInKb\":\"big\"}}",
	  FD ".traceConfig.traceBufferSizeInKb - BINDINGS: double value expected at position 48" },
	{ "a nested int32 field names its whole path", "Emulation.setDeviceMetricsOverride",
	  "{\"width\":1,\"height\":1,\"deviceScaleFactor\":1,\"mobile\":false,"
	  "\"screenOrientation\":{\"type\":\"x\",\"angle\":\"y\"}}",
	  FD ".screenOrientation.angle - BINDINGS: int32 value expected at position 89" },
	{ "a nested object with every mandatory field passes", "Emulation.setDeviceMetricsOverride",
	  "{\"width\":1,\"height\":1,\"deviceScaleFactor\":1.5,\"mobile\":false,"
	  "\"screenOrientation\":{\"type\":\"x\",\"angle\":90}}", NULL },
	{ "the first missing mandatory field by name is reported", "Emulation.setDeviceMetricsOverride",
	  "{\"width\":1,\"mobile\":false}",
	  FD ".deviceScaleFactor - BINDINGS: mandatory field missing at position 23" },
	{ "an array for an object is checked inside its envelope", "Tracing.start",
	  "{\"traceConfig\":[]}", FD ".traceConfig - CBOR: map start expected at position 27" },
	{ "an object for an array is checked inside its envelope", "Tracing.start",
	  "{\"traceConfig\":{\"includedCategories\":{}}}",
	  FD ".traceConfig.includedCategories - CBOR: array start expected at position 54" },
	{ "a bad array element is reported without an index", "Tracing.start",
	  "{\"traceConfig\":{\"includedCategories\":[\"a\",7]}}",
	  FD ".traceConfig.includedCategories - BINDINGS: string value expected at position 57" },
	{ "a free-form object must be a map", "Tracing.start",
	  "{\"traceConfig\":{\"memoryDumpConfig\":5}}",
	  FD ".traceConfig.memoryDumpConfig - CBOR: map start expected at position 45" },
	{ "a free-form object takes anything with ASCII keys", "Tracing.start",
	  "{\"traceConfig\":{\"memoryDumpConfig\":{\"triggers\":[{\"mode\":\"light\"}],\"x\":null}}}",
	  NULL },
	{ "a free-form object refuses non-ASCII keys", "Tracing.start",
	  "{\"traceConfig\":{\"memoryDumpConfig\":{\"\\u00e9\":1}}}",
	  FD ".traceConfig.memoryDumpConfig - CBOR: invalid map key at position 53" },
	{ "a nested mandatory field is missing at the nested stop byte",
	  "Emulation.setUserAgentOverride", "{\"userAgent\":\"x\",\"userAgentMetadata\":{}}",
	  FD ".userAgentMetadata.architecture - BINDINGS: mandatory field missing at position 46" },
	{ "objects inside arrays extend the path by field names only",
	  "Emulation.setUserAgentOverride",
	  "{\"userAgent\":\"x\",\"userAgentMetadata\":{\"brands\":[{\"brand\":1}]}}",
	  FD ".userAgentMetadata.brands.brand - BINDINGS: string value expected at position 75" },
	{ "any takes anything", "Runtime.callFunctionOn",
	  "{\"functionDeclaration\":\"f\",\"arguments\":[{\"value\":[1,{\"a\":[true]}]}]}", NULL },

	/* Order: message order, first bad known field wins, unknown keys skipped. */
	{ "the first bad field in message order wins", "Tracing.start",
	  "{\"categories\":1,\"options\":2}",
	  FD ".categories - BINDINGS: string value expected at position 19" },
	{ "reordered, the other field wins", "Tracing.start", "{\"options\":2,\"categories\":1}",
	  FD ".options - BINDINGS: string value expected at position 16" },
	{ "unknown keys are skipped but counted", "Tracing.start",
	  "{\"foo\":{\"x\":[1,2]},\"categories\":1}",
	  FD ".categories - BINDINGS: string value expected at position 45" },
	{ "unknown keys are never checked", "Tracing.end", "{\"timeout\":30050}", NULL },
	{ "a non-ASCII key is an invalid map key", "Tracing.start", "{\"\\u00e9\":1}",
	  FD " - CBOR: invalid map key at position 8" },
	{ "mandatory fields are checked after the whole map", "IO.read",
	  "{\"offset\":1,\"size\":2}",
	  FD ".handle - BINDINGS: mandatory field missing at position 22" },
	{ "a bad field wins over a missing one", "IO.read", "{\"offset\":true}",
	  FD ".offset - BINDINGS: int32 value expected at position 15" },
	{ "later fields sit past the earlier values", "IO.read",
	  "{\"handle\":\"1\",\"offset\":true}",
	  FD ".offset - BINDINGS: int32 value expected at position 24" },
	{ "a bool for a bool field", "Profiler.startPreciseCoverage", "{\"callCount\":1}",
	  FD ".callCount - BINDINGS: bool value expected at position 18" },

	/* Positions depend on the CBOR sizes of earlier values. */
	{ "non-ASCII strings count two bytes per UTF-16 unit", "Tracing.start",
	  "{\"categories\":\"\\u65e5\\u672c\",\"options\":1}",
	  FD ".options - BINDINGS: string value expected at position 32" },
	{ "astral chars count as surrogate pairs", "Tracing.start",
	  "{\"categories\":\"\\ud83d\\ude00\",\"options\":1}",
	  FD ".options - BINDINGS: string value expected at position 32" },
	{ "a 24-char string has a 2-byte header", "Tracing.start",
	  "{\"categories\":\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"options\":1}",
	  FD ".options - BINDINGS: string value expected at position 53" },
	{ "an int above 65535 takes 5 bytes", "Tracing.start",
	  "{\"foo\":70000,\"categories\":1}",
	  FD ".categories - BINDINGS: string value expected at position 28" },
	{ "-25 takes 2 bytes", "Tracing.start", "{\"foo\":-25,\"categories\":1}",
	  FD ".categories - BINDINGS: string value expected at position 25" },
	{ "a double takes 9 bytes", "Tracing.start", "{\"foo\":1.5,\"categories\":1}",
	  FD ".categories - BINDINGS: string value expected at position 32" },
	{ "a non-ASCII unknown value", "Tracing.start", "{\"foo\":\"\\u00e9\",\"categories\":1}",
	  FD ".categories - BINDINGS: string value expected at position 26" },

	/* Accepted values. */
	{ "an int32 interval", "Profiler.setSamplingInterval", "{\"interval\":100}", NULL },
	{ "an int32 for a double", "Tracing.start", "{\"bufferUsageReportingInterval\":5}", NULL },
	{ "a double for a double", "Tracing.start", "{\"bufferUsageReportingInterval\":300.5}",
	  NULL },
	{ "bogus enum values pass", "Tracing.start",
	  "{\"transferMode\":\"Nope\",\"traceConfig\":{\"recordMode\":\"bogus\"}}", NULL },
	{ "padded base64", "Tracing.start", "{\"perfettoConfig\":\"QQ==\"}", NULL },
	{ "empty base64", "Tracing.start", "{\"perfettoConfig\":\"\"}", NULL },
	{ "a full trace config", "Tracing.start",
	  "{\"transferMode\":\"ReturnAsStream\",\"traceConfig\":{\"recordMode\":\"recordUntilFull\","
	  "\"includedCategories\":[\"devtools.timeline\",\"v8\"],\"excludedCategories\":[],"
	  "\"traceBufferSizeInKb\":64,\"enableSampling\":true}}", NULL },
	{ "a non-ASCII string for a string", "Tracing.recordClockSyncMarker",
	  "{\"syncId\":\"\\u00e9\"}", NULL },

	/* No params, null params and [] (crdtp: an empty span, or an array). */
	{ "no params miss the map when a field is mandatory", "IO.read", NULL,
	  FD " - CBOR: map start expected at position 0" },
	{ "null params are no params", "IO.read", "null",
	  FD " - CBOR: map start expected at position 0" },
	{ "no params are fine when every field is optional", "Tracing.start", NULL, NULL },
	{ "[] is not a map for a command with params", "Tracing.start", "[]",
	  FD " - CBOR: map start expected at position 7" },
	{ "[] is fine for a command without params", "Profiler.enable", "[]", NULL },
	{ "anything is fine for a command without params", "Tracing.end",
	  "{\"\\u00e9\":1}", NULL },
};

START_TEST(validate_matches_chrome)
{
	const struct pv_case *c = &pv_cases[_i];
	const struct protocol_method *m = protocol_find(c->method);
	json_error_t jerr;
	json_t *params = NULL;
	struct buf data;

	ck_assert_msg(m != NULL, "%s: no method %s", c->name, c->method);
	if (c->params) {
		params = json_loads(c->params, JSON_DECODE_ANY, &jerr);
		ck_assert_msg(params != NULL, "%s: bad test JSON: %s", c->name, jerr.text);
	}
	buf_init(&data, 0);
	int rc = protocol_validate(m, params, &data);
	if (c->data) {
		ck_assert_msg(rc == CDPM_EINVAL, "%s: rc %d", c->name, rc);
		ck_assert_msg(data.data && !strcmp(data.data, c->data), "%s:\n got  %s\n want %s",
			      c->name, data.data ? data.data : "(nothing)", c->data);
	} else {
		ck_assert_msg(rc == 0, "%s: rejected: %s", c->name, data.data ? data.data : "");
	}
	buf_clear(&data);
	json_decref(params);
}
END_TEST

START_TEST(validate_resets_data_first)
{
	json_auto_t *params = json_loads("{\"interval\":\"100\"}", 0, NULL);
	struct buf data;

	buf_init(&data, 0);
	ck_assert_int_eq(buf_adds(&data, "old text"), 0);
	ck_assert_int_eq(protocol_validate(protocol_find("Profiler.setSamplingInterval"), params,
					   &data), CDPM_EINVAL);
	ck_assert_str_eq(data.data, FD ".interval - BINDINGS: int32 value expected at position 17");
	buf_clear(&data);
}
END_TEST

START_TEST(validate_reports_a_full_data_buffer)
{
	json_auto_t *params = json_loads("{}", 0, NULL);
	struct buf data;

	buf_init(&data, 16);
	ck_assert_int_eq(protocol_validate(protocol_find("IO.read"), params, &data),
			 CDPM_ETOOBIG);
	buf_clear(&data);
}
END_TEST

/* ---- the vendored descriptor ---- */

/* A path under $CDPM_SRCDIR, or relative to the repository root. */
static char *pd_path(const char *rel)
{
	const char *dir = getenv("CDPM_SRCDIR");
	struct buf b;

	buf_init(&b, 0);
	if (dir && *dir)
		buf_printf(&b, "%s/%s", dir, rel);
	else
		buf_adds(&b, rel);
	ck_assert_ptr_nonnull(b.data);
	return buf_take(&b, NULL);
}

/* The whole file; the test fails (does not skip) when it is missing. */
static char *pd_slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	ck_assert_msg(f != NULL, "cannot open %s (set CDPM_SRCDIR to the repository)", path);
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ck_assert_int_eq(buf_add(&b, chunk, n), 0);
	ck_assert(!ferror(f));
	fclose(f);
	*len = b.len;
	return buf_take(&b, NULL);
}

START_TEST(embedded_blob_is_the_file_byte_for_byte)
{
	char *path = pd_path("third_party/devtools-protocol/protocol.json");
	size_t flen, blen;
	char *file = pd_slurp(path, &flen);
	const char *blob = protocol_blob_get(&blen);

	ck_assert_uint_eq(blen, flen);
	ck_assert_uint_eq(blen, 1598257); /* the size Chrome 156 served */
	ck_assert(memcmp(blob, file, flen) == 0);
	free(file);
	free(path);
}
END_TEST

static json_t *pd_load(const char *rel)
{
	char *path = pd_path(rel);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	ck_assert_msg(j != NULL, "cannot load %s: %s", path, jerr.text);
	free(path);
	return j;
}

static json_t *pd_domain(json_t *root, const char *name)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(root, "domains"), i, d)
		if (json_is_string(json_object_get(d, "domain")) &&
		    !strcmp(json_string_value(json_object_get(d, "domain")), name))
			return d;
	return NULL;
}

static const char *const pd_domains[] = { "Profiler", "Tracing", "IO" };

START_TEST(reference_domains_equal_chrome_156)
{
	json_auto_t *ours = pd_load("third_party/devtools-protocol/protocol.json");
	json_auto_t *ref = pd_load("tests/fixtures/protocol-domains.json");
	json_t *a = pd_domain(ours, pd_domains[_i]);
	json_t *b = pd_domain(ref, pd_domains[_i]);

	ck_assert_msg(a && b, "domain %s missing", pd_domains[_i]);
	ck_assert_msg(json_equal(a, b), "domain %s differs from Chrome's", pd_domains[_i]);
	ck_assert(json_equal(json_object_get(ours, "version"), json_object_get(ref, "version")));
	ck_assert_uint_eq(json_array_size(json_object_get(ours, "domains")), 59);
}
END_TEST

START_TEST(table_has_every_descriptor_command)
{
	json_auto_t *ours = pd_load("third_party/devtools-protocol/protocol.json");
	json_t *d, *c;
	size_t i, j, n = 0;
	struct buf name;

	buf_init(&name, 0);
	json_array_foreach(json_object_get(ours, "domains"), i, d) {
		json_array_foreach(json_object_get(d, "commands"), j, c) {
			buf_reset(&name);
			buf_printf(&name, "%s.%s", json_string_value(json_object_get(d, "domain")),
				   json_string_value(json_object_get(c, "name")));
			const struct protocol_method *m = protocol_find(name.data);
			ck_assert_msg(m != NULL, "%s not in the table", name.data);
			ck_assert_uint_eq(m->nparams,
					  json_array_size(json_object_get(c, "parameters")));
			n++;
		}
	}
	ck_assert_uint_eq(n, protocol_table_nmethods);
	buf_clear(&name);
}
END_TEST

Suite *protocol_suite(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("lookup");
	tcase_add_loop_test(tc, find_knows_exactly_the_descriptor_commands, 0,
			    (int)CDPM_ARRAY_LEN(pf_cases));
	tcase_add_test(tc, every_table_entry_is_found_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("validate");
	tcase_add_loop_test(tc, validate_matches_chrome, 0, (int)CDPM_ARRAY_LEN(pv_cases));
	tcase_add_test(tc, validate_resets_data_first);
	tcase_add_test(tc, validate_reports_a_full_data_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("descriptor");
	tcase_add_test(tc, embedded_blob_is_the_file_byte_for_byte);
	tcase_add_loop_test(tc, reference_domains_equal_chrome_156, 0,
			    (int)CDPM_ARRAY_LEN(pd_domains));
	tcase_add_test(tc, table_has_every_descriptor_command);
	suite_add_tcase(s, tc);
	return s;
}
