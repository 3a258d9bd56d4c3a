/* fuzz.h - what every harness in tests/fuzz/ shares: the libFuzzer entry
 * point each one defines, and a one-time setup of the server's globals.
 * The same harness files build either against libFuzzer (make fuzz) or
 * against driver.c, which replays saved inputs without clang (make test). */
#ifndef CDPM_FUZZ_H
#define CDPM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* LLVMFuzzerTestOneInput() - runs one input; always returns 0.  Anything
 * wrong shows up as a sanitizer report or a crash. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct conn_hooks;

/* fuzz_setup() - server defaults, the targets and the router, once; on
 * every later call the pages are reset, so each input starts alike. */
void fuzz_setup(void);
/* fuzz_hooks() - the connection hooks main.c would install (static). */
const struct conn_hooks *fuzz_hooks(void);

#endif
