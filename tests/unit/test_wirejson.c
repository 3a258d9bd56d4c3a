/* test_wirejson.c - unit tests for server/wirejson.c: Chrome's crdtp JSON
 * errors and positions, number classification, string decoding, duplicate
 * keys, the position map, and allocation failures. */
#include "cdpm.h"
#include "cdp/wirejson.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *wirejson_suite(void); /* the generated runner's entry point */

struct wj_case {
	const char *name;
	const char *in;
	size_t len;
	const char *error; /* expected crdtp text, or NULL for success */
	size_t pos;
	const char *dump;  /* success: the tree, compact and ASCII-only (jansson dump) */
	long dup;          /* success: expected dup_member */
};

#define OK(name, in, dump) { name, in, sizeof(in) - 1, NULL, 0, dump, -1 }
#define DUP(name, in, dump, dup) { name, in, sizeof(in) - 1, NULL, 0, dump, dup }
#define ERR(name, in, err, pos) { name, in, sizeof(in) - 1, err, pos, NULL, -1 }

static const struct wj_case wj_cases[] = {
	/* Observed on Chromium 156 (docs/chrome.md section 2). */
	ERR("not json is an invalid token", "not json", "invalid token", 0),
	ERR("empty input is no input", "", "no input", 0),
	ERR("a cut message is no input at its length", "{\"id\":1,\"method\":", "no input", 17),
	ERR("single quotes want a string literal", "{'id':38,\"method\":\"X\"}",
	    "string literal expected", 1),
	ERR("a block comment is not skipped", "{\"id\":39,/* c */\"method\":\"X\"}",
	    "string literal expected", 9),
	ERR("a line comment is not skipped", "{\"id\":39,// c\n\"method\":\"X\"}",
	    "string literal expected", 9),
	ERR("garbage after the object remains", "{\"id\":1} xx", "unprocessed input remains", 9),
	ERR("a second object remains", "{\"id\":1}{\"id\":2}", "unprocessed input remains", 8),
	ERR("a second object after spaces remains", "{\"id\":1} \n {\"id\":2}",
	    "unprocessed input remains", 11),
	ERR("invalid utf-8 in a key is an invalid string at its quote", "{\"\xff\":1}",
	    "invalid string", 1),
	ERR("invalid utf-8 in an element is an invalid string", "[\"\xff\"]", "invalid string", 1),
	ERR("invalid utf-8 as the whole message points at the quote", "\"\xff\"",
	    "invalid string", 0),

	/* The other crdtp error kinds. */
	ERR("overflowing exponent is an invalid number", "1e400", "invalid number", 0),
	ERR("overflowing negative number is an invalid number", "[0, -1e999]", "invalid number", 4),
	ERR("a comma before ] is an unexpected array end", "[1,]", "unexpected array end", 3),
	ERR("unexpected array end points past whitespace", "[1, \n]", "unexpected array end", 5),
	ERR("two elements without comma", "[1 2]", "comma or array end expected", 3),
	ERR("an array cut after an element", "[1", "comma or array end expected", 2),
	ERR("a number ends at a letter", "[1x]", "comma or array end expected", 2),
	ERR("a key without colon", "{\"a\" 1}", "colon expected", 5),
	ERR("an object cut after a key", "{\"a\"", "colon expected", 4),
	ERR("a comma before } is an unexpected map end", "{\"a\":1,}", "unexpected map end", 7),
	ERR("two members without comma", "{\"a\":1 \"b\":2}", "comma or map end expected", 7),
	ERR("an object cut after a value", "{\"a\":1", "comma or map end expected", 6),
	ERR("a leading comma wants a value", "[,1]", "value expected", 1),
	ERR("a missing member value", "{\"a\":}", "value expected", 5),
	ERR("a lone ] wants a value", " ]", "value expected", 1),
	ERR("a lone colon wants a value", ":", "value expected", 0),
	ERR("a number key wants a string literal", "{1:2}", "string literal expected", 1),
	ERR("an open brace alone wants a string literal", "{", "string literal expected", 1),
	ERR("a value after a comma in an object", "{\"a\":1, 2}", "string literal expected", 8),
	ERR("a bad escape in a key is no string literal", "{\"a\\q\":1}",
	    "string literal expected", 1),
	ERR("a truncated literal", "tru", "invalid token", 0),
	ERR("a literal wrong before its last letter", "nxll", "invalid token", 0),
	ERR("a leading zero", "[01]", "invalid token", 1),
	ERR("a lone minus", "-", "invalid token", 0),
	ERR("a dot without fraction digits", "1.", "invalid token", 0),
	ERR("an exponent without digits", "1e+", "invalid token", 0),
	ERR("a leading dot", ".5", "invalid token", 0),
	ERR("a leading plus", "+1", "invalid token", 0),
	ERR("an unterminated string", "\"abc", "invalid token", 0),
	ERR("an unterminated string with bad utf-8", "\"\xff", "invalid token", 0),
	ERR("an unknown escape", "[\"a\\q\"]", "invalid token", 1),
	ERR("a short unicode escape", "\"\\u12\"", "invalid token", 0),
	ERR("a backslash at the end", "\"\\", "invalid token", 0),
	ERR("an escaped NUL byte", "\"\\\0\"", "invalid token", 0),
	ERR("a hex escape passes the scan but not decoding", "\"\\x41\"", "invalid string", 0),
	ERR("a bad hex escape fails the scan", "\"\\x4g\"", "invalid token", 0),
	ERR("an overlong NUL", "\"\xc0\x80\"", "invalid string", 0),
	ERR("an overlong ASCII letter", "\"\xc1\xbf\"", "invalid string", 0),
	ERR("a code point past U+10FFFF", "\"\xf4\x90\x80\x80\"", "invalid string", 0),
	ERR("a sequence cut by the quote", "\"\xe2\x82\"", "invalid string", 0),
	ERR("a lone continuation byte", "\"a\x80\"", "invalid string", 0),
	ERR("a five-byte lead", "\"\xf8\x88\x80\x80\x80\"", "invalid string", 0),
	ERR("a sequence cut by the quote in an array", "[\"\xc3\",\"\"]", "invalid string", 1),
	ERR("a number followed by junk", "1x", "unprocessed input remains", 1),
	ERR("a literal followed by junk", "nullx", "unprocessed input remains", 4),
	ERR("two numbers", "1 2", "unprocessed input remains", 2),
	ERR("a stray closing brace", "{} }", "unprocessed input remains", 3),
	ERR("the value of a repeated key is still checked", "{\"a\":1,\"a\":[}",
	    "value expected", 12),

	/* Values. */
	OK("whitespace includes vertical tab and form feed", " \t\r\n\v\f{\"a\":1} \v\f", "{\"a\":1}"),
	OK("scalars at the top level", "true", "true"),
	OK("null at the top level", " null ", "null"),
	OK("crdtp accepts a wrong last letter of a literal", "[nulx,trux,falsy]",
	   "[null,true,false]"),
	OK("empty containers", "[{},[],{\"a\":[]}]", "[{},[],{\"a\":[]}]"),
	OK("key order is kept", "{\"z\":1,\"a\":2,\"m\":3}", "{\"z\":1,\"a\":2,\"m\":3}"),

	/* Numbers: int32 when integral and in range, else double. */
	OK("zero", "0", "0"),
	OK("minus zero is integer zero", "-0", "0"),
	OK("minus zero point zero is integer zero", "-0.0", "0"),
	OK("3.0 is an integer", "3.0", "3"),
	OK("1e2 is an integer", "1e2", "100"),
	OK("int32 min", "-2147483648", "-2147483648"),
	OK("int32 max", "2147483647", "2147483647"),
	OK("int32 max with fraction zeros", "2147483647.000", "2147483647"),
	OK("one past int32 max is a double", "2147483648", "2147483648.0"),
	OK("one below int32 min is a double", "-2147483649", "-2147483649.0"),
	OK("a fraction is a double", "1.5", "1.5"),
	OK("1e20 is a double", "1e20", "1e20"),
	OK("2^53+1 rounds to a double", "9007199254740993", "9007199254740992.0"),
	OK("a 19 digit integer", "1234567890123456789", "1.2345678901234568e18"),
	OK("underflow is integer zero", "1E-400", "0"),
	OK("a long number is exact", "0.0000000000000000000000000000000000000000000000000000000000000000001e67",
	   "1"),
	OK("a long integer", "10000000000000000000000000000000000000000000000000000000000000000000000",
	   "1.0000000000000001e70"),
	OK("numbers in an array", "[-1,2.5E1,1e-1]", "[-1,25,0.10000000000000001]"),

	/* Strings. */
	OK("a dot escape decodes", "\"Profiler\\u002eenable\"", "\"Profiler.enable\""),
	OK("simple escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\v\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u000b\""),
	OK("a surrogate pair", "\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\""),
	OK("upper case hex", "\"\\uD83D\\uDE00\\u00E9\"", "\"\\ud83d\\ude00\\u00e9\""),
	OK("a lone high surrogate", "\"\\ud83dx\"", "\"\\ufffdx\""),
	OK("a lone high surrogate at the end", "\"x\\ud83d\"", "\"x\\ufffd\""),
	OK("a lone low surrogate", "\"\\ude00\"", "\"\\ufffd\""),
	OK("two highs then a low", "\"\\ud83d\\ud83d\\ude00\"", "\"\\ufffd\\ud83d\\ude00\""),
	OK("an escaped NUL", "\"a\\u0000b\"", "\"a\\u0000b\""),
	OK("raw two-byte utf-8", "\"\xc3\xa9\"", "\"\\u00e9\""),
	OK("raw four-byte utf-8", "\"\xf0\x9f\x98\x80\"", "\"\\ud83d\\ude00\""),
	OK("an overlong non-ASCII form is accepted", "\"\xe0\x82\xa9\"", "\"\\u00a9\""),
	OK("utf-8 encoded surrogates pair up", "\"\xed\xa0\xbd\xed\xb8\x80\"", "\"\\ud83d\\ude00\""),
	OK("an escape and an encoded surrogate pair up", "\"\\ud83d\xed\xb8\x80\"",
	   "\"\\ud83d\\ude00\""),
	OK("a utf-8 encoded lone surrogate", "\"\xed\xa0\x80\"", "\"\\ufffd\""),
	OK("a raw control character is kept", "\"a\tb\x01\"", "\"a\\tb\\u0001\""),
	OK("an escaped key", "{\"a\\u002eb\":\"\\u00e9\"}", "{\"a.b\":\"\\u00e9\"}"),
	OK("an empty key", "{\"\":1}", "{\"\":1}"),

	/* Repeated keys: the first value wins; the top level reports where. */
	DUP("a repeated id", "{\"id\":30,\"id\":31,\"method\":\"X\"}", "{\"id\":30,\"method\":\"X\"}", 1),
	DUP("a repeat spelled with an escape", "{\"a\":1,\"b\":2,\"\\u0061\":3}", "{\"a\":1,\"b\":2}", 2),
	DUP("the first repeat is reported", "{\"a\":1,\"b\":1,\"b\":2,\"a\":3}", "{\"a\":1,\"b\":1}", 2),
	DUP("escaped keys held across nesting", "{\"\\u0061\":{\"\\u0062\":1,\"c\":2},\"\\u0061\":[]}",
	    "{\"a\":{\"b\":1,\"c\":2}}", 1),
	OK("a nested repeat is not reported", "{\"p\":{\"a\":1,\"a\":2}}", "{\"p\":{\"a\":1}}"),
	OK("a repeat in an array is not reported", "[{\"a\":1,\"a\":2}]", "[{\"a\":1}]"),
};

static char *wj_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
}

/* jansson writes \u escapes in upper or lower case depending on version;
 * compare case-insensitively inside escapes by lowering everything. */
static void wj_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'F')
			*s = (char)(*s - 'A' + 'a');
}

START_TEST(parse_case_matches_crdtp)
{
	const struct wj_case *c = &wj_cases[_i];
	struct wirejson_result res;
	json_t *v = (json_t *)1;
	int rc = wirejson_parse(c->in, c->len, &v, &res);

	if (c->error) {
		ck_assert_msg(rc == CDPM_EPROTO, "%s: rc %d", c->name, rc);
		ck_assert_ptr_null(v);
		ck_assert_msg(res.error && !strcmp(res.error, c->error), "%s: error '%s', want '%s'",
			      c->name, res.error ? res.error : "(null)", c->error);
		ck_assert_msg(res.pos == c->pos, "%s: pos %zu, want %zu", c->name, res.pos, c->pos);
		return;
	}
	ck_assert_msg(rc == 0, "%s: rc %d (%s at %zu)", c->name, rc, res.error ? res.error : "-",
		      res.pos);
	ck_assert_ptr_null(res.error);
	char *got = wj_dump(v), want[512];
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_lt(strlen(c->dump), sizeof(want));
	memcpy(want, c->dump, strlen(c->dump) + 1);
	wj_lower(got);
	wj_lower(want);
	ck_assert_msg(!strcmp(got, want), "%s: got %s, want %s", c->name, got, want);
	ck_assert_msg(res.dup_member == c->dup, "%s: dup %ld, want %ld", c->name, res.dup_member,
		      c->dup);
	free(got);
	json_decref(v);
}
END_TEST

START_TEST(numbers_have_crdtp_types)
{
	static const struct {
		const char *in;
		int integer;
	} t[] = {
		{ "3.0", 1 },        { "-2147483648", 1 }, { "2147483647", 1 },
		{ "2147483648", 0 }, { "1.5", 0 },         { "1e20", 0 },
		{ "9007199254740993", 0 }, { "-0", 1 },
	};
	for (size_t i = 0; i < CDPM_ARRAY_LEN(t); i++) {
		json_t *v;
		ck_assert_int_eq(wirejson_parse(t[i].in, strlen(t[i].in), &v, NULL), 0);
		ck_assert_msg(t[i].integer ? json_is_integer(v) : json_is_real(v), "%s", t[i].in);
		json_decref(v);
	}
}
END_TEST

/* prefix + n times '[' */
static char *wj_nest(const char *prefix, size_t n, const char *open)
{
	size_t pl = strlen(prefix), ol = strlen(open);
	char *s = malloc(pl + n * ol + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, prefix, pl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + pl + i * ol, open, ol);
	s[pl + n * ol] = '\0';
	return s;
}

START_TEST(deep_nesting_fails_at_the_300th_bracket)
{
	const char *prefix = "{\"id\":1,\"method\":\"X\",\"params\":{\"x\":";
	char *s = wj_nest(prefix, 2000, "[");
	struct wirejson_result res;
	json_t *v;
	ck_assert_int_eq(wirejson_parse(s, strlen(s), &v, &res), CDPM_EPROTO);
	ck_assert_str_eq(res.error, "stack limit exceeded");
	/* params is depth 1, the k-th '[' depth k+1: the 300th is depth 301. */
	ck_assert_uint_eq(res.pos, strlen(prefix) + 299);
	free(s);
}
END_TEST

START_TEST(depth_300_is_allowed_and_301_is_not)
{
	struct wirejson_result res;
	json_t *v;
	/* 301 arrays: the innermost is depth 300 and empty. */
	char *s = wj_nest("", 301, "[");
	size_t n = strlen(s);
	char *full = malloc(2 * n + 2);
	memcpy(full, s, n);
	memset(full + n, ']', n);
	ck_assert_int_eq(wirejson_parse(full, 2 * n, &v, &res), 0);
	json_decref(v);
	/* A value inside it is depth 301, even a scalar. */
	memcpy(full, s, n);
	full[n] = '1';
	memset(full + n + 1, ']', n);
	ck_assert_int_eq(wirejson_parse(full, 2 * n + 1, &v, &res), CDPM_EPROTO);
	ck_assert_str_eq(res.error, "stack limit exceeded");
	ck_assert_uint_eq(res.pos, 301);
	free(full);
	free(s);
	/* The position is where the value's text begins, before whitespace. */
	s = wj_nest("", 400, "[ ");
	ck_assert_int_eq(wirejson_parse(s, strlen(s), &v, &res), CDPM_EPROTO);
	ck_assert_str_eq(res.error, "stack limit exceeded");
	ck_assert_uint_eq(res.pos, 2 * 300 + 1);
	free(s);
	/* Also a member value, right after its colon. */
	s = wj_nest("", 301, "{\"a\":");
	ck_assert_int_eq(wirejson_parse(s, strlen(s), &v, &res), CDPM_EPROTO);
	ck_assert_str_eq(res.error, "stack limit exceeded");
	ck_assert_uint_eq(res.pos, strlen(s));
	free(s);
}
END_TEST

START_TEST(duplicate_error_flag_rejects_repeats_at_any_depth)
{
	static const char in[] = "{\"a\":{\"b\":1,\"c\":2,\"b\":3}}";
	struct wirejson_result res;
	json_t *v;
	ck_assert_int_eq(wirejson_parse_ex(in, sizeof(in) - 1, WIREJSON_DUPLICATE_ERROR, &v, &res,
					   NULL),
			 CDPM_EPROTO);
	ck_assert_ptr_null(v);
	ck_assert_str_eq(res.error, "duplicate key");
	ck_assert_uint_eq(res.pos, 18);
	static const char ok[] = "{\"a\":{\"b\":1},\"b\":{\"b\":2}}";
	ck_assert_int_eq(wirejson_parse_ex(ok, sizeof(ok) - 1, WIREJSON_DUPLICATE_ERROR, &v, &res,
					   NULL),
			 0);
	ck_assert_int_eq(res.dup_member, -1);
	json_decref(v);
}
END_TEST

static size_t wj_pos(const struct wirejson_posmap *m, const json_t *v)
{
	size_t off = (size_t)-1;
	ck_assert_int_eq(wirejson_posmap_find(m, v, &off), 0);
	return off;
}

static size_t wj_keypos(const struct wirejson_posmap *m, const json_t *obj, const char *key)
{
	size_t off = (size_t)-1;
	ck_assert_int_eq(wirejson_posmap_find_key(m, obj, key, &off), 0);
	return off;
}

START_TEST(posmap_records_where_values_and_keys_start)
{
	static const char in[] = "{\n"
				 "  \"name\": \"x\",\n"
				 "  \"list\": [1, true, {\"k\": 2.5}],\n"
				 "  \"\xc3\xa9\": \"y\", \"name\": \"dropped\", \"last\": null\n"
				 "}";
	struct wirejson_posmap *m = wirejson_posmap_new();
	struct wirejson_result res;
	json_t *v;
	size_t line, col, off;
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(wirejson_parse_ex(in, sizeof(in) - 1, 0, &v, &res, m), 0);
	ck_assert_int_eq(res.dup_member, 3);

	ck_assert_uint_eq(wj_pos(m, v), 0);
	json_t *name = json_object_get(v, "name"), *list = json_object_get(v, "list");
	ck_assert_uint_eq(wj_pos(m, name), (size_t)(strstr(in, "\"x\"") - in));
	ck_assert_uint_eq(wj_pos(m, list), (size_t)(strchr(in, '[') - in));
	ck_assert_uint_eq(wj_pos(m, json_array_get(list, 0)), (size_t)(strchr(in, '[') - in) + 1);
	json_t *inner = json_array_get(list, 2);
	ck_assert_uint_eq(wj_pos(m, inner), (size_t)(strstr(in, "{\"k\"") - in));
	ck_assert_uint_eq(wj_pos(m, json_object_get(inner, "k")), (size_t)(strstr(in, "2.5") - in));
	ck_assert_uint_eq(wj_keypos(m, inner, "k"), (size_t)(strstr(in, "\"k\"") - in));

	/* Singletons are not recorded; their key is. */
	ck_assert_int_eq(wirejson_posmap_find(m, json_array_get(list, 1), &off), CDPM_ENOENT);
	ck_assert_uint_eq(wj_keypos(m, v, "last"), (size_t)(strstr(in, "\"last\"") - in));
	/* The first "name" is the kept one. */
	ck_assert_uint_eq(wj_keypos(m, v, "name"), 4);
	ck_assert_int_eq(wirejson_posmap_find_key(m, v, "nope", &off), CDPM_ENOENT);

	/* Line and column: the value of the non-ASCII key is after one character. */
	off = wj_pos(m, json_object_get(v, "\xc3\xa9"));
	ck_assert_int_eq(wirejson_line_col(in, sizeof(in) - 1, off, &line, &col), 0);
	ck_assert_uint_eq(line, 4);
	ck_assert_uint_eq(col, 8);
	ck_assert_int_eq(wirejson_line_col(in, sizeof(in) - 1, 0, &line, &col), 0);
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 1);
	ck_assert_int_eq(wirejson_line_col(in, sizeof(in) - 1, sizeof(in) - 1, &line, &col), 0);
	ck_assert_uint_eq(line, 5);
	ck_assert_uint_eq(col, 2);
	ck_assert_int_eq(wirejson_line_col(in, sizeof(in) - 1, sizeof(in), &line, &col), CDPM_EINVAL);

	/* A failed parse leaves the map empty. */
	json_decref(v);
	ck_assert_int_eq(wirejson_parse_ex("[1,", 3, 0, &v, &res, m), CDPM_EPROTO);
	ck_assert_int_eq(wirejson_posmap_find(m, v, &off), CDPM_ENOENT);
	wirejson_posmap_free(m);
	wirejson_posmap_free(NULL);
}
END_TEST

START_TEST(large_messages_parse_in_linear_time)
{
	/* A 300 kB string, and a 1M element array of small objects. */
	size_t n = 300 * 1024, i;
	char *s = malloc(n + 64);
	ck_assert_ptr_nonnull(s);
	size_t k = (size_t)snprintf(s, 64, "{\"id\":1,\"method\":\"X\",\"params\":{\"s\":\"");
	memset(s + k, 'a', n);
	memcpy(s + k + n, "\\u00e9\"}}", 9);
	json_t *v;
	ck_assert_int_eq(wirejson_parse(s, k + n + 9, &v, NULL), 0);
	ck_assert_uint_eq(json_string_length(json_object_get(json_object_get(v, "params"), "s")),
			  n + 2);
	json_decref(v);
	free(s);

	size_t count = 200000;
	s = malloc(count * 8 + 2);
	ck_assert_ptr_nonnull(s);
	s[0] = '[';
	for (i = 0; i < count; i++)
		memcpy(s + 1 + i * 8, "{\"a\":1},", 8);
	s[count * 8] = ']';
	ck_assert_int_eq(wirejson_parse(s, count * 8 + 1, &v, NULL), 0);
	ck_assert_uint_eq(json_array_size(v), count);
	json_decref(v);
	free(s);
}
END_TEST

/* Fault injection: fail the Nth jansson allocation. */
static long wj_alloc_left;

static void *wj_failing_malloc(size_t n)
{
	if (wj_alloc_left-- <= 0)
		return NULL;
	return malloc(n);
}

START_TEST(allocation_failures_are_enomem_and_leak_nothing)
{
	static const char in[] = "{\"id\":1,\"method\":\"a\\u002eb\",\"params\":{\"x\":[1,2.5,"
				 "\"\xc3\xa9\",{\"k\":null}],\"\\u0079\":{}}}";
	int ok = 0;
	for (long n = 0; n < 200 && !ok; n++) {
		struct wirejson_posmap *m = wirejson_posmap_new();
		struct wirejson_result res;
		json_t *v;
		wj_alloc_left = n;
		json_set_alloc_funcs(wj_failing_malloc, free);
		int rc = wirejson_parse_ex(in, sizeof(in) - 1, 0, &v, &res, m);
		json_set_alloc_funcs(malloc, free);
		if (rc == 0) {
			ok = 1;
			json_decref(v);
		} else {
			ck_assert_int_eq(rc, CDPM_ENOMEM);
			ck_assert_ptr_null(v);
			ck_assert_ptr_null(res.error);
		}
		wirejson_posmap_free(m);
	}
	ck_assert(ok);
}
END_TEST

Suite *wirejson_suite(void)
{
	Suite *s = suite_create("wirejson");
	TCase *tc = tcase_create("crdtp");
	tcase_add_loop_test(tc, parse_case_matches_crdtp, 0, (int)CDPM_ARRAY_LEN(wj_cases));
	tcase_add_test(tc, numbers_have_crdtp_types);
	tcase_add_test(tc, deep_nesting_fails_at_the_300th_bracket);
	tcase_add_test(tc, depth_300_is_allowed_and_301_is_not);
	suite_add_tcase(s, tc);
	tc = tcase_create("extras");
	tcase_add_test(tc, duplicate_error_flag_rejects_repeats_at_any_depth);
	tcase_add_test(tc, posmap_records_where_values_and_keys_start);
	tcase_add_test(tc, large_messages_parse_in_linear_time);
	tcase_add_test(tc, allocation_failures_are_enomem_and_leak_nothing);
	suite_add_tcase(s, tc);
	return s;
}
