/* sha256.h - SHA-256 (FIPS 180-4), for the source hashes V8 reports in
 * Debugger.scriptParsed.  A plain one-shot-or-streaming digest; not for
 * anything secret (no care is taken about timing). */
#ifndef CDPM_SHA256_H
#define CDPM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32
#define SHA256_HEX (2 * SHA256_BYTES + 1) /* lowercase hex and its NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t total;	       /* bytes hashed so far */
	unsigned char blk[64]; /* the partial block */
	size_t fill;
};

/* sha256_init() - starts a digest. */
void sha256_init(struct sha256 *s);
/* sha256_update() - hashes n more bytes of p. */
void sha256_update(struct sha256 *s, const void *p, size_t n);
/* sha256_final() - the digest of everything hashed; s must be
 * initialised again before reuse. */
void sha256_final(struct sha256 *s, unsigned char out[SHA256_BYTES]);
/* sha256_hex() - the digest of n bytes of p as 64 lowercase hex digits and
 * a NUL, the way V8 prints a script's hash. */
void sha256_hex(const void *p, size_t n, char out[SHA256_HEX]);

#endif
