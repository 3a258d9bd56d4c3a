/* test_cdpc_check.c - the C client's shape checks: a profile or coverage
 * the schema forbids is an error naming the first bad field, and one it
 * allows (optional fields absent, unknown fields added) passes. */
#include <check.h>
#include <string.h>

#include "buf.h"
#include "cdpc_check.h"
#include "cdpm.h"

static const char good_profile[] =
    "{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"(root)\",\"scriptId\":\"0\","
    "\"url\":\"\",\"lineNumber\":-1,\"columnNumber\":-1},\"hitCount\":0,\"children\":[2]},"
    "{\"id\":2,\"callFrame\":{\"functionName\":\"(idle)\",\"scriptId\":\"0\",\"url\":\"\","
    "\"lineNumber\":-1,\"columnNumber\":-1},\"hitCount\":3,\"positionTicks\":[{\"line\":4,"
    "\"ticks\":3}]}],\"startTime\":1000,\"endTime\":2000.5,\"samples\":[2,2,2],"
    "\"timeDeltas\":[100,120,99]}";

struct row {
	const char *patch; /* a JSON object merged into the good profile (null deletes) */
	const char *err;   /* NULL: passes */
};

static const struct row rows[] = {
    {"{}", NULL},
    {"{\"samples\":null,\"timeDeltas\":null}", NULL},
    {"{\"newField\":[1,\"x\"]}", NULL},
    {"{\"nodes\":null}", "profile.nodes is missing"},
    {"{\"nodes\":{}}", "profile.nodes is not an array"},
    {"{\"nodes\":[1]}", "profile.nodes[0] is not an object"},
    {"{\"startTime\":\"1000\"}", "profile.startTime is not a number"},
    {"{\"endTime\":null}", "profile.endTime is missing"},
    {"{\"samples\":[2,\"2\",2]}", "profile.samples[1] is not an integer"},
    {"{\"samples\":[2.5,2,2]}", "profile.samples[0] is not an integer"},
    {"{\"timeDeltas\":[1,2]}", "profile.timeDeltas is not as long as profile.samples"},
    {"{\"timeDeltas\":7}", "profile.timeDeltas is not an array of integers"},
};

static json_t *patched(const char *patch)
{
	json_t *p = json_loads(good_profile, 0, NULL);
	json_t *d = json_loads(patch, 0, NULL);
	const char *k;
	json_t *v;
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(d);
	json_object_foreach(d, k, v) {
		if (json_is_null(v))
			json_object_del(p, k);
		else
			json_object_set(p, k, v);
	}
	json_decref(d);
	return p;
}

START_TEST(test_profile_rows)
{
	const struct row *r = &rows[_i];
	json_t *p = patched(r->patch);
	struct buf err;
	buf_init(&err, 1024);
	int rc = cdpc_check_profile(p, &err);
	if (r->err) {
		ck_assert_int_eq(rc, CDPM_EPROTO);
		ck_assert_str_eq(err.data, r->err);
	} else {
		ck_assert_msg(rc == 0, "%s: %s", r->patch, err.data ? err.data : "");
	}
	buf_clear(&err);
	json_decref(p);
}
END_TEST

/* Faults deep in a node are named by their whole path. */
START_TEST(test_profile_deep)
{
	json_t *p = json_loads(good_profile, 0, NULL);
	json_t *cf = json_object_get(json_array_get(json_object_get(p, "nodes"), 1), "callFrame");
	json_object_set_new(cf, "lineNumber", json_string("4"));
	struct buf err;
	buf_init(&err, 1024);
	ck_assert_int_eq(cdpc_check_profile(p, &err), CDPM_EPROTO);
	ck_assert_str_eq(err.data, "profile.nodes[1].callFrame.lineNumber is not an integer");
	buf_clear(&err);
	json_t *x = json_string("x");
	ck_assert_int_eq(cdpc_check_profile(x, NULL), CDPM_EPROTO);
	json_decref(x);
	ck_assert_int_eq(cdpc_check_profile(NULL, NULL), CDPM_EPROTO);
	json_decref(p);
}
END_TEST

START_TEST(test_coverage)
{
	json_t *c = json_loads("[{\"scriptId\":\"8\",\"url\":\"https://a/x.js\",\"functions\":[{"
			       "\"functionName\":\"f\",\"ranges\":[{\"startOffset\":0,\"endOffset\":9,"
			       "\"count\":1}],\"isBlockCoverage\":true}]}]",
			       0, NULL);
	struct buf err;
	buf_init(&err, 1024);
	ck_assert_int_eq(cdpc_check_coverage(c, &err), 0);
	json_t *none = json_array();
	ck_assert_int_eq(cdpc_check_coverage(none, &err), 0);
	json_decref(none);
	json_t *r = json_object_get(json_array_get(json_object_get(json_array_get(c, 0), "functions"),
						   0),
				    "ranges");
	json_object_set_new(json_array_get(r, 0), "count", json_real(1.5));
	ck_assert_int_eq(cdpc_check_coverage(c, &err), CDPM_EPROTO);
	ck_assert_str_eq(err.data, "result[0].functions[0].ranges[0].count is not an integer");
	buf_reset(&err);
	json_t *obj = json_object();
	ck_assert_int_eq(cdpc_check_coverage(obj, &err), CDPM_EPROTO);
	json_decref(obj);
	ck_assert_str_eq(err.data, "result is not an array");
	buf_clear(&err);
	json_decref(c);
}
END_TEST

Suite *cdpc_check_suite(void);
Suite *cdpc_check_suite(void)
{
	Suite *s = suite_create("cdpc_check");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_profile_rows, 0, (int)CDPM_ARRAY_LEN(rows));
	tcase_add_test(tc, test_profile_deep);
	tcase_add_test(tc, test_coverage);
	suite_add_tcase(s, tc);
	return s;
}
