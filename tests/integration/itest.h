/* itest.h - shared bits of the integration suites. */
#ifndef CDPM_ITEST_H
#define CDPM_ITEST_H

#include <check.h>

#include "harness.h"

Suite *http_suite(void);
Suite *ws_suite(void);
Suite *envelope_suite(void);
Suite *session_suite(void);
Suite *cli_suite(void);

/* Servers shared by a TCase (unchecked fixtures) count unclean exits here. */
extern int itest_server_failures;

/* Starts srv with extra args; aborts the process when it cannot. */
void itest_start(struct harness_server *srv, const char *const *extra);
/* Stops srv; a non-zero exit (valgrind error, crash, leak) is counted. */
void itest_stop(struct harness_server *srv);

#endif
