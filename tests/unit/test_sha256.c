/* test_sha256.c - SHA-256 against the FIPS 180-4 vectors, fed whole and in
 * pieces, and against the hash Chrome 156 reported for a script whose
 * source is known (docs/chrome.md §11.4). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "sha256.h"

struct sha_row {
	const char *in;
	size_t repeat;
	const char *hex;
};

static const struct sha_row sha_rows[] = {
    {"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    /* The scriptParsed example of puppeteer's utility world: V8 hashes the
     * one-byte source as it is. */
    {"//# sourceURL=pptr:internal", 1,
     "ee9da969a7a2f2f13930e866b09a9fea9529059d805e93b5fd6728463b0b8212"},
};

static char *sha_input(const struct sha_row *r, size_t *n)
{
	size_t l = strlen(r->in);
	*n = l * r->repeat;
	char *p = malloc(*n + 1);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < r->repeat; i++)
		memcpy(p + i * l, r->in, l);
	return p;
}

START_TEST(each_vector_hashes_to_its_digest)
{
	const struct sha_row *r = &sha_rows[_i];
	size_t n;
	char *p = sha_input(r, &n);
	char hex[SHA256_HEX];
	sha256_hex(p, n, hex);
	ck_assert_str_eq(hex, r->hex);
	free(p);
}
END_TEST

START_TEST(pieces_of_every_size_give_the_same_digest)
{
	const struct sha_row *r = &sha_rows[2];
	size_t n;
	char *p = sha_input(r, &n);
	unsigned char whole[SHA256_BYTES], part[SHA256_BYTES];
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, p, n);
	sha256_final(&s, whole);
	for (size_t step = 1; step <= 70; step++) {
		sha256_init(&s);
		for (size_t i = 0; i < n; i += step)
			sha256_update(&s, p + i, n - i < step ? n - i : step);
		sha256_final(&s, part);
		ck_assert_mem_eq(part, whole, SHA256_BYTES);
	}
	free(p);
}
END_TEST

Suite *sha256_suite(void);
Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("sha256");
	tcase_add_loop_test(tc, each_vector_hashes_to_its_digest, 0, (int)CDPM_ARRAY_LEN(sha_rows));
	tcase_add_test(tc, pieces_of_every_size_give_the_same_digest);
	suite_add_tcase(s, tc);
	return s;
}
