/* editdist.h - the edit distance between two short names, for "did you
 * mean" hints (protocol method names, scenario names). */
#ifndef CDPM_EDITDIST_H
#define CDPM_EDITDIST_H

#include <stddef.h>

/* The longest name editdist_ci() compares; longer ones are "far". */
#define EDITDIST_MAX 128

/* editdist_ci() - the Levenshtein distance between a[0..la) and b[0..lb),
 * ignoring ASCII case; (size_t)-1 if either is longer than EDITDIST_MAX. */
size_t editdist_ci(const char *a, size_t la, const char *b, size_t lb);

/* editdist_near() - 1 if a distance d between a name of length len and a
 * candidate is close enough to suggest the candidate (a third of the
 * name, at least 1), else 0. */
int editdist_near(size_t d, size_t len);

#endif
