/* jsonesc.c - JSON-string escaping at memory speed (see jsonesc.h).  On
 * x86-64 with SSSE3, 8 bytes at a time: a 256-entry table of byte shuffles,
 * indexed by which of the 8 are '"' or '\\', spreads them out and a second
 * table drops a backslash in front of each; blocks with control characters
 * (the "\n" between trace events) take the scalar path.  Elsewhere, a
 * table-driven scalar loop with one store and no branch per byte. */
#include "gen/jsonesc.h"

#include <stdint.h>
#include <string.h>

#include "cdpm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#define JSONESC_SSSE3 1
#endif

/* 0: copy as is; else the letter after '\\' ('u' for \u00XX). */
static const char esc_letter[256] = {
    ['\b'] = 'b',  ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r', ['"'] = '"',
    ['\\'] = '\\', [0] = 'u',	 [1] = 'u',    [2] = 'u',    [3] = 'u',	   [4] = 'u',
    [5] = 'u',	   [6] = 'u',	 [7] = 'u',    [11] = 'u',   [14] = 'u',   [15] = 'u',
    [16] = 'u',	   [17] = 'u',	 [18] = 'u',   [19] = 'u',   [20] = 'u',   [21] = 'u',
    [22] = 'u',	   [23] = 'u',	 [24] = 'u',   [25] = 'u',   [26] = 'u',   [27] = 'u',
    [28] = 'u',	   [29] = 'u',	 [30] = 'u',   [31] = 'u',
};

/* Per byte, one word whose bytes in memory order are: the one or two bytes
 * to store (the byte, or '\\' and its letter), the advance, and a flag for
 * the \u00XX cases. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ESC_LEN(x) (((x) >> 16) & 3)
#define ESC_FLAG(x) ((x) >> 24)
#else
#define ESC_LEN(x) (((x) >> 8) & 3)
#define ESC_FLAG(x) ((x)&0xFF)
#endif

static uint32_t esc_word[256];
#ifdef JSONESC_SSSE3
static uint8_t esc_shuf[256][16]; /* output byte k <- input byte, 0x80: zero */
static uint8_t esc_bs[256][16];	  /* '\\' where a backslash goes, else 0 */
static uint8_t esc_grow[256];	  /* backslashes added: the mask's popcount */
static int esc_simd;
#endif
static int esc_ready;

static void esc_init(void)
{
	for (int c = 0; c < 256; c++) {
		char e = esc_letter[c];
		unsigned char w[4] = {e ? '\\' : (unsigned char)c, (unsigned char)e,
				      (unsigned char)(e ? 2 : 1), e == 'u'};
		memcpy(&esc_word[c], w, 4);
	}
#ifdef JSONESC_SSSE3
	for (int m = 0; m < 256; m++) {
		int k = 0;
		memset(esc_shuf[m], 0x80, 16);
		memset(esc_bs[m], 0, 16);
		for (int j = 0; j < 8; j++) {
			if (m >> j & 1)
				esc_bs[m][k++] = '\\'; /* the shuffle leaves a zero here */
			esc_shuf[m][k++] = (uint8_t)j;
		}
		esc_grow[m] = (uint8_t)(k - 8);
	}
	__builtin_cpu_init();
	esc_simd = __builtin_cpu_supports("ssse3");
#endif
	/* Idempotent: a race between threads would store the same values. */
	esc_ready = 1;
}

/* Writes the escape of the special byte c at q; returns the end. */
static char *escape_one(char *q, unsigned char c)
{
	char e = esc_letter[c];

	*q++ = '\\';
	if (e != 'u') {
		*q++ = e;
		return q;
	}
	memcpy(q, "u00", 3);
	q[3] = "0123456789ABCDEF"[c >> 4];
	q[4] = "0123456789ABCDEF"[c & 15];
	return q + 5;
}

/* Exact but slow: for blocks with control characters. */
static char *escape_slow(char *q, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		if (esc_letter[c])
			q = escape_one(q, c);
		else
			*q++ = (char)c;
	}
	return q;
}

/* One load, one 16-bit store and no branch per byte; control characters
 * send the whole run to escape_slow(). */
static char *escape_scalar(char *q, const char *src, size_t n)
{
	char *q0 = q;
	uint32_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t x = esc_word[(unsigned char)src[i]];
		memcpy(q, &x, 2);
		q += ESC_LEN(x);
		bad |= x;
	}
	return ESC_FLAG(bad) ? escape_slow(q0, src, n) : q;
}

#ifdef JSONESC_SSSE3
__attribute__((target("ssse3"))) static char *escape_ssse3(char *q, const char *src, size_t n)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m128i v = _mm_loadl_epi64((const __m128i *)(const void *)(src + i));
		/* Signed compare: bytes >= 0x80 count as "control" and go the
		 * slow, exact way too. */
		int ctl = _mm_movemask_epi8(_mm_cmplt_epi8(v, space)) & 0xFF;
		int m = _mm_movemask_epi8(
			    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash))) &
			0xFF;
		if (ctl) {
			q = escape_scalar(q, src + i, 8);
			continue;
		}
		__m128i out = _mm_shuffle_epi8(v, _mm_loadu_si128((const __m128i *)esc_shuf[m]));
		out = _mm_or_si128(out, _mm_loadu_si128((const __m128i *)esc_bs[m]));
		_mm_storeu_si128((__m128i *)(void *)q, out);
		q += 8 + esc_grow[m];
	}
	return escape_scalar(q, src + i, n - i);
}
#endif

int jsonesc_append(struct buf *out, const char *src, size_t n)
{
	/* At most 6 bytes per input byte (\u00XX), plus a 16-byte store's
	 * overhang. */
	int rc = buf_reserve(out, 6 * n + 16);
	char *q;

	if (rc)
		return rc;
	if (!esc_ready)
		esc_init();
	q = out->data + out->len;
#ifdef JSONESC_SSSE3
	if (esc_simd)
		q = escape_ssse3(q, src, n);
	else
#endif
		q = escape_scalar(q, src, n);
	out->len = (size_t)(q - out->data);
	out->data[out->len] = '\0';
	return 0;
}
