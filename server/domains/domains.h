/* domains.h - the table of every domain cdpmock serves, for router_init().
 * Adding a domain is adding its file under server/domains/: the build
 * collects every "const struct domain X_domain = {" line into it. */
#ifndef CDPM_DOMAINS_H
#define CDPM_DOMAINS_H

#include <stddef.h>

struct domain;

/* domains_table() - the domains, in file-name order; n gets their count.
 * Static storage. */
const struct domain *const *domains_table(size_t *n);

#endif
