/* redact.c - --record-redact SPEC (docs/record.md): before a recorded
 * message is kept, string values named by a path ("path:params.url",
 * "path:result.cookies.*.value") are replaced by "<redacted>", and every
 * part of any string that matches a pattern ("re:REGEX", POSIX extended)
 * is replaced by it.  In a command's params a redacted value is removed
 * instead, so that the recorded rule matches whatever the client sends
 * there. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "record/record_int.h"

#define REC_REDACTED "<redacted>"
#define REC_MAX_PATTERNS 64

static regex_t rec_re[REC_MAX_PATTERNS];
static size_t rec_n_re;

int rec_redact_check(const char *const *specs)
{
	for (size_t i = 0; specs && specs[i]; i++) {
		const char *s = specs[i];
		if (!strncmp(s, "path:", 5) && s[5] && !strstr(s + 5, "..") && s[5] != '.' &&
		    s[strlen(s) - 1] != '.')
			continue;
		if (!strncmp(s, "re:", 3) && s[3]) {
			if (rec_n_re == REC_MAX_PATTERNS) {
				fprintf(stderr, "cdpmock: at most %d --record-redact patterns\n",
					REC_MAX_PATTERNS);
				return CDPM_EINVAL;
			}
			char err[200];
			int rc = regcomp(&rec_re[rec_n_re], s + 3, REG_EXTENDED);
			if (rc) {
				regerror(rc, &rec_re[rec_n_re], err, sizeof(err));
				fprintf(stderr, "cdpmock: --record-redact '%s': %s\n", s, err);
				return CDPM_EINVAL;
			}
			rec_n_re++;
			continue;
		}
		fprintf(stderr, "cdpmock: --record-redact takes path:A.B.C (a '*' segment matches "
				"any key or index) or re:REGEX, not '%s'\n", s);
		return CDPM_EINVAL;
	}
	return 0;
}

/* s with every match of the patterns replaced, or NULL when none matched. */
static char *rec_redact_text(const char *s)
{
	int changed = 0;
	char *cur = strdup(s);
	for (size_t k = 0; cur && k < rec_n_re; k++) {
		struct buf out;
		buf_init(&out, 0);
		const char *p = cur;
		regmatch_t m;
		int hit = 0;
		while (*p && !regexec(&rec_re[k], p, 1, &m, p == cur ? 0 : REG_NOTBOL)) {
			buf_add(&out, p, (size_t)m.rm_so);
			buf_adds(&out, REC_REDACTED);
			hit = 1;
			p += m.rm_eo > m.rm_so ? m.rm_eo : m.rm_so + 1;
			if (m.rm_eo == m.rm_so)
				buf_add(&out, p - 1, 1);
		}
		if (!hit) {
			buf_clear(&out);
			continue;
		}
		buf_adds(&out, p);
		changed = 1;
		free(cur);
		cur = buf_finish(&out) ? NULL : strdup(out.data ? out.data : "");
		buf_clear(&out);
	}
	if (!changed) {
		free(cur);
		return NULL;
	}
	return cur;
}

/* Pattern redaction of every string under v.  With drop, a changed string
 * that is an object member is removed. */
static void rec_walk(json_t *v, int drop)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		void *tmp;
		json_object_foreach_safe(v, tmp, k, x) {
			if (json_is_string(x)) {
				char *r = rec_redact_text(json_string_value(x));
				if (r && drop)
					json_object_del(v, k);
				else if (r)
					json_object_set_new(v, k, json_string(r));
				free(r);
			} else {
				rec_walk(x, drop);
			}
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *x = json_array_get(v, i);
			if (json_is_string(x)) {
				char *r = rec_redact_text(json_string_value(x));
				if (r)
					json_array_set_new(v, i, json_string(r));
				free(r);
			} else {
				rec_walk(x, drop);
			}
		}
	}
}

/* Path redaction: follows the dotted path seg (a '*' matches every key or
 * index) under v. */
static void rec_path(json_t *v, const char *seg, int drop)
{
	size_t n = strcspn(seg, ".");
	const char *rest = seg[n] ? seg + n + 1 : NULL;
	char key[256];
	if (n >= sizeof(key))
		return;
	memcpy(key, seg, n);
	key[n] = '\0';
	int any = !strcmp(key, "*");
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		void *tmp;
		json_object_foreach_safe(v, tmp, k, x) {
			if (!any && strcmp(k, key))
				continue;
			if (rest)
				rec_path(x, rest, drop);
			else if (json_is_string(x) && drop)
				json_object_del(v, k);
			else if (json_is_string(x))
				json_object_set_new(v, k, json_string(REC_REDACTED));
		}
	} else if (json_is_array(v)) {
		char *end;
		unsigned long idx = strtoul(key, &end, 10);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (!any && (*end || !*key || idx != i))
				continue;
			json_t *x = json_array_get(v, i);
			if (rest)
				rec_path(x, rest, drop);
			else if (json_is_string(x))
				json_array_set_new(v, i, json_string(REC_REDACTED));
		}
	}
}

void rec_redact(json_t *msg, int is_command)
{
	for (size_t i = 0; rec.redact && rec.redact[i]; i++)
		if (!strncmp(rec.redact[i], "path:", 5))
			rec_path(msg, rec.redact[i] + 5, is_command);
	if (rec_n_re)
		rec_walk(msg, is_command);
}

void rec_redact_strings(json_t *v)
{
	if (rec_n_re)
		rec_walk(v, 0);
}

void rec_redact_fini(void)
{
	for (size_t i = 0; i < rec_n_re; i++)
		regfree(&rec_re[i]);
	rec_n_re = 0;
}
