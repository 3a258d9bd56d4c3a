/* require.h - assertions for the hot loops of property tests.  Check's
 * ck_assert_* record a checkpoint (a write to its channel) on every pass;
 * these cost nothing until they fail, and then report through ck_abort_msg
 * with the caller's file and line. */
#ifndef CDPM_TEST_REQUIRE_H
#define CDPM_TEST_REQUIRE_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			ck_abort_msg("failed: %s", #c);                                            \
	} while (0)

#define REQUIRE_MSG(c, ...)                                                                        \
	do {                                                                                       \
		if (!(c))                                                                          \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

#define REQUIRE_CMP(a, op, b)                                                                      \
	do {                                                                                       \
		intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                                   \
		if (!(a_ op b_))                                                                   \
			ck_abort_msg("failed: %s %s %s (%jd vs %jd)", #a, #op, #b, a_, b_);        \
	} while (0)

#define REQUIRE_EQ(a, b) REQUIRE_CMP(a, ==, b)
#define REQUIRE_NE(a, b) REQUIRE_CMP(a, !=, b)
#define REQUIRE_LT(a, b) REQUIRE_CMP(a, <, b)
#define REQUIRE_LE(a, b) REQUIRE_CMP(a, <=, b)
#define REQUIRE_GT(a, b) REQUIRE_CMP(a, >, b)
#define REQUIRE_GE(a, b) REQUIRE_CMP(a, >=, b)

#define REQUIRE_STR(a, op, b)                                                                      \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!(strcmp(a_, b_) op 0))                                                        \
			ck_abort_msg("failed: %s %s %s (\"%s\" vs \"%s\")", #a, #op, #b, a_, b_);  \
	} while (0)

#define REQUIRE_STR_EQ(a, b) REQUIRE_STR(a, ==, b)
#define REQUIRE_STR_NE(a, b) REQUIRE_STR(a, !=, b)

#endif
