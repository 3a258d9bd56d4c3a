/* scencheck.h - validation of a scenario's "check" section (the self-test
 * the test suite runs with the reference client).  See scencheck.c. */
#ifndef CDPM_SCENCHECK_H
#define CDPM_SCENCHECK_H

#include <jansson.h>

struct jcheck;

/* scencheck_validate() - checks the shape of a "check" object at j's current
 * path; problems are recorded in j.  Returns 0, or -1 when the object is
 * unusable at the top. */
int scencheck_validate(struct jcheck *j, const json_t *check);

#endif
