/* numfmt.c - shortest round-trip doubles in ECMAScript notation (see
 * numfmt.h).  The C library does the exact work: printf's %e gives the
 * correctly rounded k-digit decimal, strtod says whether it reads back.
 * The shortest k is found by bisection, which is sound because a k-digit
 * decimal that reads back is also a (k+1)-digit one.  Times in µs need
 * none of that: their seconds are exact in six decimals. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal: digits d[0..k) with the point after d[0], times 10^exp. */
struct numfmt_dec {
	char d[20];
	int k;
	int exp;
};

/* Reads back the decimal as a double. */
static double numfmt_value(const struct numfmt_dec *x)
{
	char s[40];
	snprintf(s, sizeof(s), "%c.%.*se%d", x->d[0], x->k - 1, x->d + 1, x->exp);
	return strtod(s, NULL);
}

/* One step of the last digit up (dir 1) or down (dir -1), keeping k digits:
 * 9.99e0 + step is 1.00e1, and 1.00e1 - step is 9.99e0. */
static void numfmt_step(struct numfmt_dec *x, int dir)
{
	int i = x->k - 1;
	if (dir > 0) {
		while (i >= 0 && x->d[i] == '9')
			x->d[i--] = '0';
		if (i >= 0) {
			x->d[i]++;
		} else {
			x->d[0] = '1';
			x->exp++;
		}
		return;
	}
	while (i >= 0 && x->d[i] == '0')
		x->d[i--] = '9';
	x->d[i]--; /* d[0] is never '0', so i >= 0 here */
	if (x->d[0] == '0') {
		memset(x->d, '9', (size_t)x->k);
		x->exp--;
	}
}

/* Is there a k-digit decimal that reads back to v (> 0)?  If so, *x gets
 * the one nearest v.  The correctly rounded one is nearest; when it does
 * not read back (v's rounding interval is lopsided at a power of two), the
 * only other candidate is the next one on v's other side. */
static int numfmt_try(double v, int k, struct numfmt_dec *x)
{
	char s[40];
	snprintf(s, sizeof(s), "%.*e", k - 1, v);
	x->k = 0;
	const char *p = s;
	for (; *p != 'e'; p++)
		if (*p != '.')
			x->d[x->k++] = *p;
	x->d[x->k] = '\0';
	x->exp = atoi(p + 1);
	double r = numfmt_value(x);
	if (r == v)
		return 1;
	numfmt_step(x, r > v ? -1 : 1);
	return numfmt_value(x) == v;
}

/* Lays out digits and exponent as Number::toString does (ECMA-262,
 * Number::toString, steps for n and k). */
static size_t numfmt_layout(char *o, const struct numfmt_dec *x)
{
	int k = x->k, n = x->exp + 1;
	size_t len = 0;
	if (k <= n && n <= 21) {
		memcpy(o, x->d, (size_t)k);
		memset(o + k, '0', (size_t)(n - k));
		len = (size_t)n;
	} else if (0 < n && n <= 21) {
		memcpy(o, x->d, (size_t)n);
		o[n] = '.';
		memcpy(o + n + 1, x->d + n, (size_t)(k - n));
		len = (size_t)k + 1;
	} else if (-6 < n && n <= 0) {
		o[0] = '0';
		o[1] = '.';
		memset(o + 2, '0', (size_t)-n);
		memcpy(o + 2 - n, x->d, (size_t)k);
		len = (size_t)(2 - n + k);
	} else {
		o[len++] = x->d[0];
		if (k > 1) {
			o[len++] = '.';
			memcpy(o + len, x->d + 1, (size_t)(k - 1));
			len += (size_t)(k - 1);
		}
		len += (size_t)snprintf(o + len, 8, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	o[len] = '\0';
	return len;
}

size_t numfmt_double(char out[NUMFMT_MAX], double d)
{
	struct numfmt_dec x;
	size_t sign = 0;
	int lo = 1, hi = 17;

	if (!isfinite(d)) {
		memcpy(out, "null", 5);
		return 4;
	}
	if (d == 0) { /* and -0: Number::toString gives "0" */
		memcpy(out, "0", 2);
		return 1;
	}
	if (d < 0) {
		out[sign++] = '-';
		d = -d;
	}
	/* 17 significant digits always read back. */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (numfmt_try(d, mid, &x))
			hi = mid;
		else
			lo = mid + 1;
	}
	numfmt_try(d, lo, &x);
	while (x.k > 1 && x.d[x.k - 1] == '0')
		x.k--;
	return sign + numfmt_layout(out + sign, &x);
}

int numfmt_add(struct buf *b, double d)
{
	char s[NUMFMT_MAX];
	size_t n = numfmt_double(s, d);
	return buf_add(b, s, n);
}

int numfmt_add_seconds(struct buf *b, int64_t us)
{
	/* An integral number of µs divided by 1e6 always reads back from its
	 * six-decimal form, and no shorter decimal lands on the same double,
	 * so trimming trailing zeros gives the shortest round trip. */
	if (us < 0) {
		buf_addc(b, '-');
		us = -us;
	}
	buf_add_i64(b, us / 1000000);
	int64_t f = us % 1000000;
	if (!f)
		return buf_finish(b);
	char d[8];
	snprintf(d, sizeof(d), "%06lld", (long long)f);
	size_t n = 6;
	while (d[n - 1] == '0')
		n--;
	buf_addc(b, '.');
	buf_add(b, d, n);
	return buf_finish(b);
}
