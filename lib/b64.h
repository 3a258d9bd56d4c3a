/* b64.h - base64 (RFC 4648): decoding, either strict, the way Chrome's
 * base::Base64Decode takes protocol binary fields, or loose, for what people
 * type into scenario files; and the one encoder, which sits on the IO.read
 * hot path. */
#ifndef CDPM_B64_H
#define CDPM_B64_H

#include <stddef.h>

#include "buf.h"

enum b64_mode {
	/* The standard alphabet only; the length a multiple of 4; one or two
	 * '=' only at the very end.  What Chrome sends (IO.read) and accepts. */
	B64_STRICT,
	/* The standard and the URL-safe alphabet ('-' and '_'), even mixed;
	 * padding optional: decoding stops at the first '=', and whatever
	 * follows it is ignored, as are the bits of a final partial byte. */
	B64_LOOSE,
};

/* b64_decoded_max() - how many bytes n characters decode to at most. */
size_t b64_decoded_max(size_t n);

/* b64_decode() - decodes the n characters at s into out, which has room
 * for b64_decoded_max(n) bytes; *outlen gets the number written.  No NUL is
 * added.  Returns 0, or CDPM_EINVAL when s is not base64 under mode (out
 * may then hold some bytes, and *outlen is left alone). */
int b64_decode(const char *s, size_t n, enum b64_mode mode, unsigned char *out, size_t *outlen);

/* b64_decode_buf() - the same, appending to b.  Returns 0, CDPM_EINVAL
 * (b unchanged), or CDPM_ENOMEM / CDPM_ETOOBIG from the buffer (b
 * unchanged). */
int b64_decode_buf(struct buf *b, const char *s, size_t n, enum b64_mode mode);

/* b64_encode_buf() - appends n bytes of p as padded standard base64 (how
 * Chrome encodes binary protocol fields), NUL-terminated.  0 or CDPM_ENOMEM /
 * CDPM_ETOOBIG (b unchanged). */
int b64_encode_buf(struct buf *b, const void *p, size_t n);

#endif
