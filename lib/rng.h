/* rng.h - a small seeded PRNG (xoshiro256**, seeded through splitmix64) so
 * that every generated id, profile and trace is reproducible from --seed.
 * Not for cryptography. */
#ifndef CDPM_RNG_H
#define CDPM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* rng_init() - seeds the generator; the same seed gives the same sequence. */
void rng_init(struct rng *r, uint64_t seed);
/* rng_next() - the next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* rng_below() - a uniform integer in [0, n); n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* rng_double() - a uniform double in [0, 1). */
double rng_double(struct rng *r);

#endif
