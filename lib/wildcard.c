/* wildcard.c - '*' globs for method names (see wildcard.h). */
#include "wildcard.h"

#include <stddef.h>

int wildcard_match(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	/* Greedy with one backtrack point: on a mismatch after a '*', let
	 * that '*' eat one more character.  Earlier stars never need to be
	 * revisited, since the later one can absorb anything they would. */
	while (*s) {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}
