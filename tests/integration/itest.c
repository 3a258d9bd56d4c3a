/* itest.c - fixtures shared by the integration suites (see itest.h). */
#include "itest.h"

#include <stdio.h>
#include <stdlib.h>

void itest_start(struct harness_server *srv, const char *const *extra)
{
	if (harness_start(srv, extra)) {
		fprintf(stderr, "cannot start cdpmock ($CDPMOCK_BIN)\n");
		exit(2);
	}
}

void itest_stop(struct harness_server *srv)
{
	int st = harness_stop(srv);
	if (st != 0) {
		fprintf(stderr, "cdpmock exited with status %d\n", st);
		itest_server_failures++;
	}
}
