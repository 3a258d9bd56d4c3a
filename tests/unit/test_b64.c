/* test_b64.c - base64 decoding: the strict form Chrome sends and accepts,
 * and the loose form scenario files may use (URL-safe digits, no padding). */
#include <check.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "cdpm.h"

struct b64_row {
	const char *in;
	enum b64_mode mode;
	int rc;		 /* 0 or CDPM_EINVAL */
	const char *out; /* the bytes, when rc is 0 */
	size_t out_len;
};

static const struct b64_row rows[] = {
    {"", B64_STRICT, 0, "", 0},
    {"QQ==", B64_STRICT, 0, "A", 1},
    {"QUI=", B64_STRICT, 0, "AB", 2},
    {"QUJD", B64_STRICT, 0, "ABC", 3},
    {"AP8A/w==", B64_STRICT, 0, "\0\xff\0\xff", 4},
    {"+/+/", B64_STRICT, 0, "\xfb\xff\xbf", 3},
    /* Strict: the length is a multiple of 4 and padding is where it must be. */
    {"QQ", B64_STRICT, CDPM_EINVAL, NULL, 0},
    {"QQ=", B64_STRICT, CDPM_EINVAL, NULL, 0},
    {"Q===", B64_STRICT, CDPM_EINVAL, NULL, 0},
    {"====", B64_STRICT, CDPM_EINVAL, NULL, 0},
    {"QQ=A", B64_STRICT, CDPM_EINVAL, NULL, 0},
    {"QQ==QUJD", B64_STRICT, CDPM_EINVAL, NULL, 0},
    {"QU I", B64_STRICT, CDPM_EINVAL, NULL, 0},
    {"-_-_", B64_STRICT, CDPM_EINVAL, NULL, 0},
    /* Loose: URL-safe digits, optional padding, nothing read past '='. */
    {"-_-_", B64_LOOSE, 0, "\xfb\xff\xbf", 3},
    {"+_-/", B64_LOOSE, 0, "\xfb\xff\xbf", 3},
    {"QQ", B64_LOOSE, 0, "A", 1},
    {"QUI", B64_LOOSE, 0, "AB", 2},
    {"QQ==", B64_LOOSE, 0, "A", 1},
    {"QQ=!ignored", B64_LOOSE, 0, "A", 1},
    {"Q", B64_LOOSE, 0, "", 0},
    {"QU I", B64_LOOSE, CDPM_EINVAL, NULL, 0},
    {"QQ\n==", B64_LOOSE, CDPM_EINVAL, NULL, 0},
};

START_TEST(each_form_decodes_or_is_refused)
{
	const struct b64_row *r = &rows[_i];
	size_t n = strlen(r->in), len = 99;
	unsigned char out[32];
	ck_assert_uint_le(b64_decoded_max(n), sizeof(out));
	int rc = b64_decode(r->in, n, r->mode, out, &len);
	ck_assert_msg(rc == r->rc, "\"%s\" mode %d: rc %d", r->in, (int)r->mode, rc);
	if (rc) {
		ck_assert_uint_eq(len, 99);
		return;
	}
	ck_assert_uint_eq(len, r->out_len);
	ck_assert_uint_le(len, b64_decoded_max(n));
	ck_assert_mem_eq(out, r->out, len);
}
END_TEST

START_TEST(the_buffer_form_appends_or_leaves_the_buffer_alone)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "x:");
	ck_assert_int_eq(b64_decode_buf(&b, "QUJD", 4, B64_STRICT), 0);
	ck_assert_str_eq(b.data, "x:ABC");
	ck_assert_int_eq(b64_decode_buf(&b, "QUJ", 3, B64_STRICT), CDPM_EINVAL);
	ck_assert_int_eq(b64_decode_buf(&b, "QU*D", 4, B64_STRICT), CDPM_EINVAL);
	ck_assert_str_eq(b.data, "x:ABC");
	ck_assert_int_eq(b64_decode_buf(&b, "", 0, B64_STRICT), 0);
	ck_assert_uint_eq(b.len, 5);
	buf_clear(&b);
}
END_TEST

START_TEST(the_buffer_cap_counts_decoded_bytes)
{
	struct buf b;
	buf_init(&b, 4);
	/* 8 characters, 4 bytes: exactly the cap. */
	ck_assert_int_eq(b64_decode_buf(&b, "AAECAw==", 8, B64_STRICT), 0);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(b64_decode_buf(&b, "QQ==", 4, B64_STRICT), CDPM_ETOOBIG);
	ck_assert_uint_eq(b.len, 4);
	buf_clear(&b);
}
END_TEST

Suite *b64_suite(void);
Suite *b64_suite(void)
{
	Suite *s = suite_create("b64");
	TCase *tc = tcase_create("b64");
	tcase_add_loop_test(tc, each_form_decodes_or_is_refused, 0, (int)CDPM_ARRAY_LEN(rows));
	tcase_add_test(tc, the_buffer_form_appends_or_leaves_the_buffer_alone);
	tcase_add_test(tc, the_buffer_cap_counts_decoded_bytes);
	suite_add_tcase(s, tc);
	return s;
}
