/* report_html.c - one static page: the adapter x scenario matrix (TODO). */
#include "conform.h"

int report_html(const char *file, const struct ccase *cases, size_t n, long ms)
{
	(void)file;
	(void)cases;
	(void)n;
	(void)ms;
	return 0;
}
