/* itest.h - shared bits of the integration suites. */
#ifndef CDPM_ITEST_H
#define CDPM_ITEST_H

#include <check.h>

#include "harness.h"

/* Every tests/integration/test_X.c defines, on a line of its own,
 * "Suite *X_suite(void)" (after a prototype ending in ';'); the runner's
 * list is generated from those lines. */

/* Servers shared by a TCase (unchecked fixtures) count unclean exits here. */
extern int itest_server_failures;

/* Starts srv with extra args; aborts the process when it cannot. */
void itest_start(struct harness_server *srv, const char *const *extra);
/* Stops srv; a non-zero exit (valgrind error, crash, leak) is counted. */
void itest_stop(struct harness_server *srv);

#endif
