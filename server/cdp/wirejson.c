/* wirejson.c - crdtp-compatible JSON parsing into jansson trees (see
 * wirejson.h).  The control flow deliberately follows the shape of crdtp's
 * JsonParser (look at the next token, then decide), because that shape is
 * what decides which error Chrome reports and at which byte.  Not a general
 * purpose parser: Chrome's quirks are reproduced on purpose. */
#include "cdp/wirejson.h"
#include "buf.h"
#include "cdpm.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned char wj_uchar;

/* crdtp's error texts (crdtp/status.cc, without the "JSON: " prefix). */
static const char WJ_E_UNPROCESSED[] = "unprocessed input remains";
static const char WJ_E_STACK[] = "stack limit exceeded";
static const char WJ_E_NO_INPUT[] = "no input";
static const char WJ_E_TOKEN[] = "invalid token";
static const char WJ_E_NUMBER[] = "invalid number";
static const char WJ_E_STRING[] = "invalid string";
static const char WJ_E_ARRAY_END[] = "unexpected array end";
static const char WJ_E_COMMA_ARRAY[] = "comma or array end expected";
static const char WJ_E_KEY[] = "string literal expected";
static const char WJ_E_COLON[] = "colon expected";
static const char WJ_E_MAP_END[] = "unexpected map end";
static const char WJ_E_COMMA_MAP[] = "comma or map end expected";
static const char WJ_E_VALUE[] = "value expected";
/* Ours, only with WIREJSON_DUPLICATE_ERROR. */
static const char WJ_E_DUP[] = "duplicate key";

enum wj_tok {
	WJ_T_OBJ_BEGIN,
	WJ_T_OBJ_END,
	WJ_T_ARR_BEGIN,
	WJ_T_ARR_END,
	WJ_T_STRING,
	WJ_T_NUMBER,
	WJ_T_TRUE,
	WJ_T_FALSE,
	WJ_T_NULL,
	WJ_T_COMMA,
	WJ_T_COLON,
	WJ_T_INVALID,
	WJ_T_NO_INPUT,
};

struct wj_vpos {
	const json_t *v;
	size_t off;
};

struct wj_kpos {
	const json_t *obj;
	size_t idx; /* insertion index among the object's kept members */
	size_t off;
};

struct wirejson_posmap {
	struct buf vals; /* struct wj_vpos[], sorted by v after a parse */
	struct buf keys; /* struct wj_kpos[], sorted by (obj, idx) after a parse */
};

struct wj {
	const wj_uchar *base, *end;
	unsigned flags;
	struct wirejson_posmap *map;
	struct buf str;    /* scratch for decoded string values and long numbers */
	struct buf keys;   /* decoded keys, held (as a stack) while their value parses */
	int str_plain;     /* the last scanned string has no escapes and is ASCII */
	const char *err;
	size_t errpos;
	long dup_member;
};

/* Drops a buf's tail (a stack pop), keeping buf.h's NUL invariant. */
static void wj_truncate(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

static int wj_fail(struct wj *p, const char *text, const wj_uchar *at)
{
	p->err = text;
	p->errpos = (size_t)(at - p->base);
	return CDPM_EPROTO;
}

/* crdtp's whitespace includes \v and \f.  Comments are not skipped: the
 * published json.cc skips them, but Chrome 156 was observed to answer
 * "string literal expected" at the '/' of a comment placed where a key
 * should be (docs/chrome.md section 2), and the observation wins. */
static const wj_uchar *wj_skip_ws(const wj_uchar *s, const wj_uchar *end)
{
	while (s < end && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t' || *s == '\v' ||
			   *s == '\f'))
		s++;
	return s;
}

/* A literal such as "null".  crdtp consumes the mismatching byte of its
 * comparison before testing for the literal's end, so a wrong LAST letter
 * still matches: "nulx" is null, "trux" true, "falsy" false.  Kept, since
 * Chrome accepts those messages. */
static int wj_scan_literal(const wj_uchar *s, const wj_uchar *end, const char *lit,
			   const wj_uchar **te)
{
	size_t n = strlen(lit), i;
	for (i = 0; i < n && i < (size_t)(end - s); i++) {
		if (s[i] != (wj_uchar)lit[i]) {
			i++;
			break;
		}
	}
	if (i < n)
		return 0;
	*te = s + i;
	return 1;
}

static int wj_scan_digits(const wj_uchar *s, const wj_uchar *end, const wj_uchar **te,
			  int allow_lead_zero)
{
	const wj_uchar *b = s;
	while (s < end && *s >= '0' && *s <= '9')
		s++;
	if (s == b || (!allow_lead_zero && s - b > 1 && *b == '0'))
		return 0;
	*te = s;
	return 1;
}

/* RFC 4627 number: [-] int [. digits] [(e|E) [+|-] digits].  The token ends
 * at the first byte that cannot continue it ("1x" is the number 1). */
static int wj_scan_number(const wj_uchar *s, const wj_uchar *end, const wj_uchar **te)
{
	if (*s == '-')
		s++;
	if (!wj_scan_digits(s, end, &s, 0))
		return 0;
	if (s < end && *s == '.' && !wj_scan_digits(s + 1, end, &s, 1))
		return 0;
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		if (!wj_scan_digits(s, end, &s, 1))
			return 0;
	}
	*te = s;
	return 1;
}

static int wj_is_hex(wj_uchar c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The string token after its opening quote.  Like crdtp it accepts \xHH here
 * (decoding rejects it later, as "invalid string") and any raw byte. */
static int wj_scan_string(const wj_uchar *s, const wj_uchar *end, const wj_uchar **te,
			  int *plain)
{
	wj_uchar bits = 0;
	int esc = 0;
	while (s < end) {
		wj_uchar c = *s++;
		if (c == '"') {
			*te = s;
			*plain = !esc && !(bits & 0x80);
			return 1;
		}
		bits |= c;
		if (c != '\\')
			continue;
		esc = 1;
		if (s == end)
			return 0;
		c = *s++;
		size_t hex = c == 'u' ? 4 : c == 'x' ? 2 : 0;
		if (hex) {
			if ((size_t)(end - s) < hex)
				return 0;
			for (size_t i = 0; i < hex; i++)
				if (!wj_is_hex(*s++))
					return 0;
		} else if (!strchr("\\/bfnrtv\"", c) || c == '\0') {
			return 0;
		}
	}
	return 0;
}

/* The next token at or after s (crdtp's ParseToken): *ts is where it starts
 * (after whitespace; end for WJ_T_NO_INPUT), *te where it ends. */
static enum wj_tok wj_token(struct wj *p, const wj_uchar *s, const wj_uchar **ts,
			    const wj_uchar **te)
{
	const wj_uchar *end = p->end;
	s = wj_skip_ws(s, end);
	*ts = s;
	*te = s + (s < end);
	if (s == end)
		return WJ_T_NO_INPUT;
	switch (*s) {
	case '{': return WJ_T_OBJ_BEGIN;
	case '}': return WJ_T_OBJ_END;
	case '[': return WJ_T_ARR_BEGIN;
	case ']': return WJ_T_ARR_END;
	case ',': return WJ_T_COMMA;
	case ':': return WJ_T_COLON;
	case 'n': return wj_scan_literal(s, end, "null", te) ? WJ_T_NULL : WJ_T_INVALID;
	case 't': return wj_scan_literal(s, end, "true", te) ? WJ_T_TRUE : WJ_T_INVALID;
	case 'f': return wj_scan_literal(s, end, "false", te) ? WJ_T_FALSE : WJ_T_INVALID;
	case '"': return wj_scan_string(s + 1, end, te, &p->str_plain) ? WJ_T_STRING : WJ_T_INVALID;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return wj_scan_number(s, end, te) ? WJ_T_NUMBER : WJ_T_INVALID;
	}
	return WJ_T_INVALID;
}

/* --- strings ---------------------------------------------------------- */

/* crdtp decodes into UTF-16 code units; we write UTF-8 straight away and
 * keep a pending high surrogate to pair it with the next unit.  jansson
 * needs valid UTF-8, so unpaired surrogates become U+FFFD (what Chrome's
 * UTF-16 to UTF-8 conversion makes of them too). */
struct wj_out {
	wj_uchar *o;
	unsigned high; /* pending high surrogate, or 0 */
};

static void wj_put_cp(struct wj_out *w, uint32_t cp)
{
	wj_uchar *o = w->o;
	if (cp < 0x80) {
		*o++ = (wj_uchar)cp;
	} else if (cp < 0x800) {
		*o++ = (wj_uchar)(0xC0 | cp >> 6);
		*o++ = (wj_uchar)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (wj_uchar)(0xE0 | cp >> 12);
		*o++ = (wj_uchar)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (wj_uchar)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (wj_uchar)(0xF0 | cp >> 18);
		*o++ = (wj_uchar)(0x80 | (cp >> 12 & 0x3F));
		*o++ = (wj_uchar)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (wj_uchar)(0x80 | (cp & 0x3F));
	}
	w->o = o;
}

static void wj_put_unit(struct wj_out *w, unsigned u)
{
	if (w->high) {
		unsigned hi = w->high;
		w->high = 0;
		if (u >= 0xDC00 && u <= 0xDFFF) {
			wj_put_cp(w, 0x10000 + ((uint32_t)(hi - 0xD800) << 10) + (u - 0xDC00));
			return;
		}
		wj_put_cp(w, 0xFFFD);
	}
	if (u >= 0xD800 && u <= 0xDBFF)
		w->high = u;
	else
		wj_put_cp(w, u >= 0xDC00 && u <= 0xDFFF ? 0xFFFD : u);
}

/* One UTF-8 sequence the way crdtp reads it: the lead byte gives the length,
 * continuation bytes must be 10xxxxxx and lie before the closing quote, and
 * only code points <= 0x7F (overlong ASCII) and > 0x10FFFF are refused.
 * Other overlong forms and encoded surrogates pass, as in Chrome. */
static int wj_utf8(const wj_uchar **sp, const wj_uchar *e, uint32_t *cp)
{
	const wj_uchar *s = *sp;
	unsigned c = *s++;
	int more;
	uint32_t v;
	if ((c & 0xE0) == 0xC0) {
		more = 1;
		v = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		more = 2;
		v = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		more = 3;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (e - s < more)
		return 0;
	while (more--) {
		c = *s++;
		if ((c & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (c & 0x3F);
	}
	if (v <= 0x7F || v > 0x10FFFF)
		return 0;
	*cp = v;
	*sp = s;
	return 1;
}

static unsigned wj_hex4(const wj_uchar *s)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		wj_uchar c = s[i];
		v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static int wj_escape(const wj_uchar **sp, unsigned *u)
{
	const wj_uchar *s = *sp;
	wj_uchar c = *s++;
	switch (c) {
	case 'b': *u = '\b'; break;
	case 'f': *u = '\f'; break;
	case 'n': *u = '\n'; break;
	case 'r': *u = '\r'; break;
	case 't': *u = '\t'; break;
	case 'v': *u = '\v'; break;
	case 'u':
		*u = wj_hex4(s);
		s += 4;
		break;
	case 'x': /* passes the tokenizer, but crdtp does not decode it */
		return 0;
	default: /* '"', '\\', '/' (the scan allowed nothing else) */
		*u = c;
	}
	*sp = s;
	return 1;
}

/* Decodes the string body s..e (a scanned token, quotes excluded) and appends
 * it to b.  Returns 0, CDPM_EPROTO if crdtp would call it an invalid string,
 * or CDPM_ENOMEM.  The output never outgrows the input: every escape or
 * sequence yields at most as many bytes as it took (\uXXXX: 6 -> <= 3, a
 * surrogate pair: >= 6 -> 4, a U+FFFD: >= 3 -> 3), so one reserve suffices. */
static int wj_decode(struct buf *b, const wj_uchar *s, const wj_uchar *e)
{
	int rc = buf_reserve(b, (size_t)(e - s));
	if (rc)
		return rc;
	struct wj_out w = { (wj_uchar *)b->data + b->len, 0 };
	while (s < e) {
		unsigned u = *s;
		uint32_t cp;
		if (u < 0x80 && u != '\\' && !w.high) {
			*w.o++ = (wj_uchar)u; /* the common case, kept short */
			s++;
			continue;
		}
		if (u < 0x80 && u != '\\') {
			s++;
		} else if (u == '\\') {
			s++;
			if (!wj_escape(&s, &u))
				return CDPM_EPROTO;
		} else {
			if (!wj_utf8(&s, e, &cp))
				return CDPM_EPROTO;
			if (cp >= 0x10000) {
				wj_put_unit(&w, 0xD800 + ((cp - 0x10000) >> 10));
				u = 0xDC00 + (cp & 0x3FF);
			} else {
				u = cp;
			}
		}
		wj_put_unit(&w, u);
	}
	if (w.high)
		wj_put_cp(&w, 0xFFFD);
	b->len = (size_t)((char *)w.o - b->data);
	b->data[b->len] = '\0';
	return 0;
}

/* --- values ----------------------------------------------------------- */

static int wj_record(struct wj *p, const json_t *v, const wj_uchar *at)
{
	/* true/false/null are shared singletons: a position would be a lie. */
	if (!p->map || json_is_true(v) || json_is_false(v) || json_is_null(v))
		return 0;
	struct wj_vpos e = { v, (size_t)(at - p->base) };
	return buf_add(&p->map->vals, &e, sizeof(e));
}

static int wj_number(struct wj *p, const wj_uchar *ts, const wj_uchar *te, json_t **out)
{
	size_t n = (size_t)(te - ts), neg = *ts == '-', i;
	char small[64], *z = small;
	double d;

	/* Fast path, no copy: up to 18 digits is exact in int64, and int64 to
	 * double rounds like a correct decimal conversion of the same value. */
	if (n - neg <= 18 && !memchr(ts, '.', n) && !memchr(ts, 'e', n) && !memchr(ts, 'E', n)) {
		int64_t v = 0;
		for (i = neg; i < n; i++)
			v = v * 10 + (ts[i] - '0');
		v = neg ? -v : v;
		if (v >= INT32_MIN && v <= INT32_MAX)
			*out = json_integer(v);
		else
			*out = json_real((double)v);
		return *out ? 0 : CDPM_ENOMEM;
	}
	if (n < sizeof(small)) {
		memcpy(small, ts, n);
		small[n] = '\0';
	} else {
		buf_reset(&p->str);
		int rc = buf_add(&p->str, ts, n);
		if (rc)
			return rc;
		z = p->str.data;
	}
	/* Chrome uses base::StringToDouble, which fails on overflow to +-inf.
	 * The token is a valid JSON number, so strtod takes all of it (given
	 * the "C" LC_NUMERIC locale, which cdpmock never changes). */
	d = strtod(z, NULL);
	if (isinf(d))
		return wj_fail(p, WJ_E_NUMBER, ts);
	/* crdtp: an int32 when the double is integral and in range. */
	if (d >= (double)INT32_MIN && d <= (double)INT32_MAX && (double)(int32_t)d == d)
		*out = json_integer((int32_t)d);
	else
		*out = json_real(d);
	return *out ? 0 : CDPM_ENOMEM;
}

static int wj_string(struct wj *p, const wj_uchar *ts, const wj_uchar *te, json_t **out)
{
	const wj_uchar *s = ts + 1, *e = te - 1;
	if (p->str_plain) {
		*out = json_stringn_nocheck((const char *)s, (size_t)(e - s));
		return *out ? 0 : CDPM_ENOMEM;
	}
	buf_reset(&p->str);
	int rc = wj_decode(&p->str, s, e);
	if (rc == CDPM_EPROTO)
		return wj_fail(p, WJ_E_STRING, ts);
	if (rc)
		return rc;
	*out = json_stringn_nocheck(p->str.data, p->str.len);
	return *out ? 0 : CDPM_ENOMEM;
}

static int wj_value(struct wj *p, const wj_uchar *start, int depth, json_t **out,
		    const wj_uchar **next);

/* After a member or element: the first byte past whitespace must be ','
 * (returns 1, *s after it) or `close` (returns 0, *s after it); else the
 * crdtp error `what` at that byte (or at the end of input).  crdtp reads a
 * whole token here, but only its first byte can make it ',' or `close`. */
static int wj_after_item(struct wj *p, const wj_uchar **s, wj_uchar close, const char *what)
{
	const wj_uchar *q = wj_skip_ws(*s, p->end);
	if (q < p->end && (*q == ',' || *q == close)) {
		*s = q + 1;
		return *q == ',';
	}
	return wj_fail(p, what, q);
}

/* An array; s is just past its '['.  Values inside are one level deeper,
 * and each starts where the '[' or ',' before it ended: crdtp reports a
 * stack overflow at that byte, before skipping whitespace. */
static int wj_array(struct wj *p, const wj_uchar *s, int depth, json_t **out,
		    const wj_uchar **te)
{
	json_t *arr = json_array(), *el;
	int rc = CDPM_ENOMEM, more;

	if (!arr)
		goto out;
	const wj_uchar *q = wj_skip_ws(s, p->end);
	if (q < p->end && *q == ']') {
		s = q + 1;
		goto done;
	}
	do {
		rc = wj_value(p, s, depth + 1, &el, &s);
		if (rc)
			goto out;
		if (json_array_append_new(arr, el)) {
			rc = CDPM_ENOMEM;
			goto out;
		}
		rc = more = wj_after_item(p, &s, ']', WJ_E_COMMA_ARRAY);
		if (rc < 0)
			goto out;
		if (more) {
			q = wj_skip_ws(s, p->end);
			if (q < p->end && *q == ']') {
				rc = wj_fail(p, WJ_E_ARRAY_END, q);
				goto out;
			}
		}
	} while (more);
done:
	rc = 0;
	*te = s;
	*out = arr;
	arr = NULL;
out:
	json_decref(arr);
	return rc;
}

/* Reads the key at the token ts..te into something that stays valid while
 * the member's value parses: the input itself, or the top of p->keys. */
static int wj_key(struct wj *p, const wj_uchar *ts, const wj_uchar *te, const char **key,
		  size_t *klen, size_t *mark)
{
	*mark = p->keys.len;
	if (p->str_plain) {
		*key = (const char *)ts + 1;
		*klen = (size_t)(te - ts - 2);
		return 0;
	}
	int rc = wj_decode(&p->keys, ts + 1, te - 1);
	if (rc == CDPM_EPROTO)
		return wj_fail(p, WJ_E_STRING, ts);
	if (rc)
		return rc;
	*key = NULL; /* p->keys may move while the value parses: use *mark */
	*klen = p->keys.len - *mark;
	return 0;
}

/* One "key": value member of obj; ts..te is the key token.  Repeated keys
 * keep the first value (Chrome's envelope sees the repeat and fails). */
static int wj_member(struct wj *p, json_t *obj, const wj_uchar *ts, const wj_uchar *te,
		     int depth, long index, const wj_uchar **s)
{
	const char *key;
	size_t klen, mark, kept = json_object_size(obj);
	json_t *v = NULL;
	int rc = wj_key(p, ts, te, &key, &klen, &mark);
	if (rc)
		return rc;
	int dup = json_object_getn(obj, key ? key : p->keys.data + mark, klen) != NULL;
	if (dup && (p->flags & WIREJSON_DUPLICATE_ERROR)) {
		rc = wj_fail(p, WJ_E_DUP, ts);
		goto out;
	}
	if (dup && depth == 0 && p->dup_member < 0)
		p->dup_member = index;
	const wj_uchar *q = wj_skip_ws(te, p->end);
	if (q == p->end || *q != ':') {
		rc = wj_fail(p, WJ_E_COLON, q);
		goto out;
	}
	size_t vmark = p->map ? p->map->vals.len : 0, kmark = p->map ? p->map->keys.len : 0;
	rc = wj_value(p, q + 1, depth + 1, &v, s);
	if (rc)
		goto out;
	if (dup) {
		/* The value is dropped: forget the positions recorded for it, or
		 * a later value could reuse the freed address. */
		if (p->map) {
			wj_truncate(&p->map->vals, vmark);
			wj_truncate(&p->map->keys, kmark);
		}
		goto out;
	}
	rc = json_object_setn_new_nocheck(obj, key ? key : p->keys.data + mark, klen, v);
	v = NULL;
	if (rc) {
		rc = CDPM_ENOMEM;
		goto out;
	}
	if (p->map) {
		struct wj_kpos e = { obj, kept, (size_t)(ts - p->base) };
		rc = buf_add(&p->map->keys, &e, sizeof(e));
	}
out:
	json_decref(v);
	wj_truncate(&p->keys, mark);
	return rc;
}

/* An object; s is just past its '{'. */
static int wj_object(struct wj *p, const wj_uchar *s, int depth, json_t **out,
		     const wj_uchar **te_out)
{
	json_t *obj = json_object();
	const wj_uchar *ts, *te;
	long index = 0;
	int rc = CDPM_ENOMEM, more;

	if (!obj)
		goto out;
	enum wj_tok t = wj_token(p, s, &ts, &te);
	if (t == WJ_T_OBJ_END) {
		s = te;
		goto done;
	}
	do {
		if (t != WJ_T_STRING) {
			rc = wj_fail(p, WJ_E_KEY, ts);
			goto out;
		}
		rc = wj_member(p, obj, ts, te, depth, index++, &s);
		if (rc)
			goto out;
		rc = more = wj_after_item(p, &s, '}', WJ_E_COMMA_MAP);
		if (rc < 0)
			goto out;
		if (more) {
			t = wj_token(p, s, &ts, &te);
			if (t == WJ_T_OBJ_END) {
				rc = wj_fail(p, WJ_E_MAP_END, ts);
				goto out;
			}
		}
	} while (more);
done:
	rc = 0;
	*te_out = s;
	*out = obj;
	obj = NULL;
out:
	json_decref(obj);
	return rc;
}

/* One value starting at or after `start`, at nesting `depth` (crdtp's
 * ParseValue).  On success *next is past the value and the whitespace after
 * it. */
static int wj_value(struct wj *p, const wj_uchar *start, int depth, json_t **out,
		    const wj_uchar **next)
{
	const wj_uchar *ts, *te;
	json_t *v = NULL;
	int rc = 0;

	*out = NULL;
	if (depth > WIREJSON_STACK_LIMIT)
		return wj_fail(p, WJ_E_STACK, start);
	switch (wj_token(p, start, &ts, &te)) {
	case WJ_T_NO_INPUT: return wj_fail(p, WJ_E_NO_INPUT, ts);
	case WJ_T_INVALID: return wj_fail(p, WJ_E_TOKEN, ts);
	case WJ_T_NULL: v = json_null(); break;
	case WJ_T_TRUE: v = json_true(); break;
	case WJ_T_FALSE: v = json_false(); break;
	case WJ_T_NUMBER: rc = wj_number(p, ts, te, &v); break;
	case WJ_T_STRING: rc = wj_string(p, ts, te, &v); break;
	case WJ_T_ARR_BEGIN: rc = wj_array(p, te, depth, &v, &te); break;
	case WJ_T_OBJ_BEGIN: rc = wj_object(p, te, depth, &v, &te); break;
	default: return wj_fail(p, WJ_E_VALUE, ts);
	}
	if (!rc)
		rc = wj_record(p, v, ts);
	if (rc) {
		json_decref(v);
		return rc;
	}
	*out = v;
	*next = wj_skip_ws(te, p->end);
	return 0;
}

/* --- entry points ----------------------------------------------------- */

static void wj_posmap_reset(struct wirejson_posmap *map)
{
	buf_reset(&map->vals);
	buf_reset(&map->keys);
}

static int wj_cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
	return x < y ? -1 : x > y;
}

static int wj_cmp_vpos(const void *a, const void *b)
{
	return wj_cmp_ptr(((const struct wj_vpos *)a)->v, ((const struct wj_vpos *)b)->v);
}

static int wj_cmp_kpos(const void *a, const void *b)
{
	const struct wj_kpos *x = a, *y = b;
	int c = wj_cmp_ptr(x->obj, y->obj);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static void wj_posmap_sort(struct wirejson_posmap *map)
{
	if (map->vals.len)
		qsort(map->vals.data, map->vals.len / sizeof(struct wj_vpos),
		      sizeof(struct wj_vpos), wj_cmp_vpos);
	if (map->keys.len)
		qsort(map->keys.data, map->keys.len / sizeof(struct wj_kpos),
		      sizeof(struct wj_kpos), wj_cmp_kpos);
}

int wirejson_parse_ex(const char *buf, size_t len, unsigned flags, json_t **out,
		      struct wirejson_result *res, struct wirejson_posmap *map)
{
	struct wirejson_result scratch;
	struct wj p = { 0 };
	const wj_uchar *next;
	json_t *v = NULL;
	int rc;

	if (!res)
		res = &scratch;
	*out = NULL;
	p.base = (const wj_uchar *)(buf ? buf : "");
	p.end = p.base + (buf ? len : 0);
	p.flags = flags;
	p.map = map;
	p.dup_member = -1;
	/* Capped at the input size: decoded text is never longer. */
	buf_init(&p.str, len + 1);
	buf_init(&p.keys, len + 1);
	if (map)
		wj_posmap_reset(map);

	rc = wj_value(&p, p.base, 0, &v, &next);
	if (!rc && next != p.end)
		rc = wj_fail(&p, WJ_E_UNPROCESSED, next);
	if (rc)
		goto out;
	if (map)
		wj_posmap_sort(map);
	*out = v;
	v = NULL;
out:
	json_decref(v);
	buf_clear(&p.str);
	buf_clear(&p.keys);
	if (rc && map)
		wj_posmap_reset(map);
	res->error = rc == CDPM_EPROTO ? p.err : NULL;
	res->pos = rc == CDPM_EPROTO ? p.errpos : 0;
	res->dup_member = rc ? -1 : p.dup_member;
	return rc;
}

int wirejson_parse(const char *buf, size_t len, json_t **out, struct wirejson_result *res)
{
	return wirejson_parse_ex(buf, len, 0, out, res, NULL);
}

struct wirejson_posmap *wirejson_posmap_new(void)
{
	struct wirejson_posmap *map = malloc(sizeof(*map));
	if (!map)
		return NULL;
	/* 64M entries of 16 or 24 bytes: far beyond any scenario file. */
	buf_init(&map->vals, (size_t)1 << 30);
	buf_init(&map->keys, (size_t)3 << 29);
	return map;
}

void wirejson_posmap_free(struct wirejson_posmap *map)
{
	if (!map)
		return;
	buf_clear(&map->vals);
	buf_clear(&map->keys);
	free(map);
}

int wirejson_posmap_find(const struct wirejson_posmap *map, const json_t *v, size_t *offset)
{
	struct wj_vpos want = { v, 0 };
	const struct wj_vpos *hit = NULL;
	if (map->vals.len)
		hit = bsearch(&want, map->vals.data, map->vals.len / sizeof(want), sizeof(want),
			      wj_cmp_vpos);
	if (!hit)
		return CDPM_ENOENT;
	*offset = hit->off;
	return 0;
}

int wirejson_posmap_find_key(const struct wirejson_posmap *map, const json_t *obj,
			     const char *key, size_t *offset)
{
	size_t klen = strlen(key), idx = 0;
	void *it;
	/* jansson keeps insertion order, and the parser inserted kept members
	 * in source order, so the iteration index is the recorded index. */
	for (it = json_object_iter((json_t *)obj); it; it = json_object_iter_next((json_t *)obj, it)) {
		if (json_object_iter_key_len(it) == klen &&
		    !memcmp(json_object_iter_key(it), key, klen))
			break;
		idx++;
	}
	if (!it || !map->keys.len)
		return CDPM_ENOENT;
	struct wj_kpos want = { obj, idx, 0 };
	const struct wj_kpos *hit = bsearch(&want, map->keys.data,
					    map->keys.len / sizeof(want), sizeof(want), wj_cmp_kpos);
	if (!hit)
		return CDPM_ENOENT;
	*offset = hit->off;
	return 0;
}

int wirejson_line_col(const char *buf, size_t len, size_t offset, size_t *line, size_t *col)
{
	size_t ln = 1, c = 1;
	if (offset > len)
		return CDPM_EINVAL;
	for (size_t i = 0; i < offset; i++) {
		wj_uchar b = (wj_uchar)buf[i];
		if (b == '\n') {
			ln++;
			c = 1;
		} else if ((b & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = ln;
	*col = c;
	return 0;
}
