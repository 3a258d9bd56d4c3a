/* main.c - the Check runner for the integration suites: each starts the real
 * cdpmock binary ($CDPMOCK_BIN) on a loopback port the kernel picks.  The
 * suite list is generated from tests/integration/test_*.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"

#define SUITE(fn) Suite *fn(void);
#include "isuites.h"
#undef SUITE

int main(void)
{
	fx_runner_pid = getpid();
	SRunner *sr = srunner_create(NULL);
#define SUITE(fn) srunner_add_suite(sr, fn());
#include "isuites.h"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (fx_server_failures)
		fprintf(stderr, "%d server run(s) did not exit cleanly (see above)\n",
			fx_server_failures);
	return failed || fx_server_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
