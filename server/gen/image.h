/* image.h - the one-colour images Page.captureScreenshot returns: a PNG,
 * a baseline JPEG or a lossless WebP of the viewport's size, filled with
 * the page background.  There is no renderer behind them; the files are
 * small, valid and decode to the right size.  Not base64: the Page domain
 * encodes them. */
#ifndef CDPM_IMAGE_H
#define CDPM_IMAGE_H

#include <stdint.h>

#include "buf.h"

enum image_format { IMAGE_PNG, IMAGE_JPEG, IMAGE_WEBP };

/* The largest side any of the formats may have here (WebP's limit). */
#define IMAGE_MAX_SIDE 16384u

struct image_fill {
	uint32_t width, height; /* 1 .. IMAGE_MAX_SIDE */
	uint8_t r, g, b, a;	/* a < 255: PNG and WebP carry alpha, JPEG drops it */
};

/* image_write() - appends the encoded image to out.  CDPM_EINVAL for a
 * size out of range, CDPM_ENOMEM if zlib cannot start, or out's error. */
int image_write(enum image_format f, const struct image_fill *im, struct buf *out);

/* image_write_jpeg_band() - a JPEG of im whose first top_rows rows (rounded
 * up to 8) have top's colour instead: a page whose top has painted, as the
 * trace's screenshots show it.  Errors as image_write(). */
int image_write_jpeg_band(const struct image_fill *im, uint32_t top_rows,
			  const struct image_fill *top, struct buf *out);

#endif
