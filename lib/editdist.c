/* editdist.c - case-insensitive Levenshtein distance (see editdist.h). */
#include "editdist.h"

#include <ctype.h>

size_t editdist_ci(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[EDITDIST_MAX + 1];
	if (la > EDITDIST_MAX || lb > EDITDIST_MAX)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t v = diag + (tolower((unsigned char)a[i - 1]) !=
					   tolower((unsigned char)b[j - 1]));
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
		}
	}
	return row[lb];
}

int editdist_near(size_t d, size_t len)
{
	return d != (size_t)-1 && d <= (len + 2) / 3;
}
