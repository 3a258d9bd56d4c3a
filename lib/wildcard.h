/* wildcard.h - matches a method name against a scenario glob, where '*'
 * stands for any run of characters (none included) and every other
 * character for itself: "Tracing.*", "*.enable", "*".  No '?', classes or
 * escapes; trace category patterns have their own rules (tracecat.c).
 * Not named glob.h: -Ilib would hide the system's <glob.h>. */
#ifndef CDPM_WILDCARD_H
#define CDPM_WILDCARD_H

/* wildcard_match() - 1 if the whole of s matches pat, else 0.  Both are
 * NUL-terminated.  Time is O(strlen(pat) * strlen(s)) at worst, so a
 * pattern like "*a*a*a*b" cannot blow up. */
int wildcard_match(const char *pat, const char *s);

#endif
