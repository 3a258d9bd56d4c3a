/* scencheck.h - validation of the scenario sections cdpmock stores but does
 * not run: "expect" and "check".  See scencheck.c. */
#ifndef CDPM_SCENCHECK_H
#define CDPM_SCENCHECK_H

#include <jansson.h>

struct jcheck;

/* scencheck_validate() - checks the shape of a "check" object at j's current
 * path; problems are recorded in j.  Returns 0, or -1 when the object is
 * unusable at the top. */
int scencheck_validate(struct jcheck *j, const json_t *check);
/* scencheck_expect() - checks the shape of an "expect" object v (member
 * "expect" of parent) at j's current path; problems are recorded in j. */
void scencheck_expect(struct jcheck *j, const json_t *v, const json_t *parent);

#endif
