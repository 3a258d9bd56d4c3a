/* image.c - one-colour PNG, JPEG and WebP encoders (see image.h).  Each
 * writes the smallest honest form of its format: PNG rows deflated by zlib,
 * a JPEG whose blocks are all DC (every block after the first costs a few
 * bits), and a VP8L WebP whose prefix codes have one symbol each, so the
 * pixels take no bits at all. */
#include "gen/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cdpm.h"

static void image_be32(struct buf *out, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};
	buf_add(out, b, 4);
}

static void image_le32(struct buf *out, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	buf_add(out, b, 4);
}

/* ---- PNG ---- */

/* A chunk: length, type, data, CRC over type and data. */
static void image_png_chunk(struct buf *out, const char *type, const void *data, uint32_t n)
{
	image_be32(out, n);
	buf_add(out, type, 4);
	buf_add(out, data, n);
	uLong crc = crc32(0, (const Bytef *)type, 4);
	crc = crc32(crc, data, n);
	image_be32(out, (uint32_t)crc);
}

/* The IDAT payload: each row is a filter byte (0) and the pixels; every
 * row is the same, so one row buffer feeds the whole stream. */
static int image_png_idat(const struct image_fill *im, int alpha, struct buf *z)
{
	size_t bpp = alpha ? 4 : 3, row_len = 1 + (size_t)im->width * bpp;
	unsigned char *row = malloc(row_len), out[16384];
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (!row || deflateInit(&zs, 9) != Z_OK) {
		free(row);
		return CDPM_ENOMEM;
	}
	row[0] = 0;
	for (size_t x = 0; x < im->width; x++) {
		unsigned char *p = row + 1 + x * bpp;
		p[0] = im->r;
		p[1] = im->g;
		p[2] = im->b;
		if (alpha)
			p[3] = im->a;
	}
	int rc = 0, zr = Z_OK;
	for (uint32_t y = 0; y <= im->height && !rc && zr != Z_STREAM_END; y++) {
		int flush = y == im->height ? Z_FINISH : Z_NO_FLUSH;
		zs.next_in = flush == Z_FINISH ? NULL : row;
		zs.avail_in = flush == Z_FINISH ? 0 : (uInt)row_len;
		/* Until the row is taken in (and, at the end, the stream ends). */
		do {
			zs.next_out = out;
			zs.avail_out = sizeof(out);
			zr = deflate(&zs, flush);
			if (zr == Z_STREAM_ERROR)
				rc = CDPM_EINVAL;
			else
				rc = buf_add(z, out, sizeof(out) - zs.avail_out);
		} while (!rc && (zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END)));
	}
	deflateEnd(&zs);
	free(row);
	return rc;
}

static int image_png(const struct image_fill *im, struct buf *out)
{
	int alpha = im->a != 255;
	unsigned char ihdr[13];
	uint32_t wh[2] = {im->width, im->height};
	for (int i = 0; i < 2; i++) {
		ihdr[4 * i] = (unsigned char)(wh[i] >> 24);
		ihdr[4 * i + 1] = (unsigned char)(wh[i] >> 16);
		ihdr[4 * i + 2] = (unsigned char)(wh[i] >> 8);
		ihdr[4 * i + 3] = (unsigned char)wh[i];
	}
	ihdr[8] = 8;		     /* bit depth */
	ihdr[9] = alpha ? 6 : 2;     /* RGBA or RGB */
	ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filters, no interlace */
	struct buf z;
	buf_init(&z, 0);
	int rc = image_png_idat(im, alpha, &z);
	if (!rc)
		rc = buf_finish(&z);
	if (!rc) {
		buf_add(out, "\x89PNG\r\n\x1a\n", 8);
		image_png_chunk(out, "IHDR", ihdr, sizeof(ihdr));
		image_png_chunk(out, "IDAT", z.data, (uint32_t)z.len);
		image_png_chunk(out, "IEND", "", 0);
		rc = buf_finish(out);
	}
	buf_clear(&z);
	return rc;
}

/* ---- JPEG ---- */

/* Bits MSB first, with a 0x00 stuffed after every 0xFF byte. */
struct image_bits {
	struct buf *out;
	uint32_t acc;
	int n;
};

static void image_bits_put(struct image_bits *w, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		w->acc = w->acc << 1 | ((v >> i) & 1);
		if (++w->n == 8) {
			buf_addc(w->out, (char)w->acc);
			if ((w->acc & 0xff) == 0xff)
				buf_addc(w->out, 0);
			w->acc = 0;
			w->n = 0;
		}
	}
}

/* The DC code lengths of the JPEG standard's luminance table (Annex K.3):
 * categories 0 to 11. */
static const unsigned char image_dc_bits[16] = {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};

/* The canonical code of DC category cat, and its length. */
static void image_dc_code(int cat, uint32_t *code, int *len)
{
	uint32_t c = 0;
	int k = 0;
	for (int l = 1; l <= 16; l++, c <<= 1) {
		for (int i = 0; i < image_dc_bits[l - 1]; i++, c++, k++) {
			if (k == cat) {
				*code = c;
				*len = l;
				return;
			}
		}
	}
}

/* A DC difference d: its category's code, then the category's bits of d
 * (one's complement for negative values). */
static void image_dc(struct image_bits *w, int d)
{
	int cat = 0;
	for (int a = d < 0 ? -d : d; a; a >>= 1)
		cat++;
	uint32_t code = 0;
	int len = 0;
	image_dc_code(cat, &code, &len);
	image_bits_put(w, code, len);
	if (cat)
		image_bits_put(w, (uint32_t)(d < 0 ? d + (1 << cat) - 1 : d), cat);
	image_bits_put(w, 0, 1); /* EOB, the one AC code: "0" */
}

static void image_marker(struct buf *out, unsigned m, const void *p, size_t n)
{
	unsigned char h[4] = {0xff, (unsigned char)m, (unsigned char)((n + 2) >> 8),
			      (unsigned char)(n + 2)};
	buf_add(out, h, 4);
	buf_add(out, p, n);
}

/* Level-shifted DC of a flat 8x8 block of value v, quantised by 1. */
static int image_flat_dc(double v)
{
	long q = lround(v);
	if (q < 0)
		q = 0;
	if (q > 255)
		q = 255;
	return (int)(8 * (q - 128));
}

static int image_jpeg(const struct image_fill *im, uint32_t top_rows, const struct image_fill *top,
		      struct buf *out)
{
	static const unsigned char app0[] = {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
	unsigned char dqt[65] = {0}, sof[15], dht_dc[29], dht_ac[18] = {0x10, 1}, sos[10];
	if (im->width > 65535 || im->height > 65535)
		return CDPM_EINVAL;
	memset(dqt + 1, 1, 64);
	sof[0] = 8;
	sof[1] = (unsigned char)(im->height >> 8);
	sof[2] = (unsigned char)im->height;
	sof[3] = (unsigned char)(im->width >> 8);
	sof[4] = (unsigned char)im->width;
	sof[5] = 3;
	sos[0] = 3;
	for (int i = 0; i < 3; i++) {
		sof[6 + 3 * i] = (unsigned char)(i + 1);
		sof[7 + 3 * i] = 0x11; /* 4:4:4 */
		sof[8 + 3 * i] = 0;
		sos[1 + 2 * i] = (unsigned char)(i + 1);
		sos[2 + 2 * i] = 0x00; /* DC table 0, AC table 0 */
	}
	sos[7] = 0;
	sos[8] = 63;
	sos[9] = 0;
	dht_dc[0] = 0x00;
	memcpy(dht_dc + 1, image_dc_bits, 16);
	for (int i = 0; i < 12; i++)
		dht_dc[17 + i] = (unsigned char)i;
	/* dht_ac: class 1 id 0, one code of length 1, the symbol 0x00 (EOB). */
	buf_add(out, "\xff\xd8", 2);
	image_marker(out, 0xe0, app0, sizeof(app0));
	image_marker(out, 0xdb, dqt, sizeof(dqt));
	image_marker(out, 0xc0, sof, sizeof(sof));
	image_marker(out, 0xc4, dht_dc, sizeof(dht_dc));
	image_marker(out, 0xc4, dht_ac, sizeof(dht_ac));
	image_marker(out, 0xda, sos, sizeof(sos));
	/* JFIF's YCbCr; every block of a band has the same DC, so past the
	 * first MCU and the band's edge each difference is 0. */
	int dc[2][3];
	for (int k = 0; k < 2; k++) {
		const struct image_fill *f = k ? top : im;
		double r = f->r, g = f->g, b = f->b;
		dc[k][0] = image_flat_dc(0.299 * r + 0.587 * g + 0.114 * b);
		dc[k][1] = image_flat_dc(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
		dc[k][2] = image_flat_dc(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
	}
	struct image_bits w = {out, 0, 0};
	uint64_t cols = (im->width + 7) / 8, mcus = cols * ((im->height + 7) / 8);
	int prev[3] = {0, 0, 0};
	for (uint64_t m = 0; m < mcus && !buf_finish(out); m++) {
		const int *v = dc[(m / cols) * 8 < top_rows];
		for (int c = 0; c < 3; c++) {
			image_dc(&w, v[c] - prev[c]);
			prev[c] = v[c];
		}
	}
	if (w.n)
		image_bits_put(&w, 0x7f, 8 - w.n); /* pad with 1 bits */
	buf_add(out, "\xff\xd9", 2);
	return buf_finish(out);
}

/* ---- WebP (lossless, VP8L) ---- */

/* Bits LSB first, as VP8L reads them. */
static void image_lsb_put(unsigned char *p, size_t *pos, uint32_t v, int n)
{
	for (int i = 0; i < n; i++, (*pos)++)
		if ((v >> i) & 1)
			p[*pos / 8] |= (unsigned char)(1u << (*pos % 8));
}

/* A simple prefix code with the single symbol sym: it costs no bits per
 * pixel, so a one-colour image has no pixel data at all. */
static void image_vp8l_code(unsigned char *p, size_t *pos, unsigned sym)
{
	int wide = sym > 1;
	image_lsb_put(p, pos, 1, 1);	/* simple code */
	image_lsb_put(p, pos, 0, 1);	/* one symbol */
	image_lsb_put(p, pos, (uint32_t)wide, 1);
	image_lsb_put(p, pos, sym, wide ? 8 : 1);
}

static int image_webp(const struct image_fill *im, struct buf *out)
{
	unsigned char v[12] = {0x2f};
	size_t pos = 8;
	image_lsb_put(v, &pos, im->width - 1, 14);
	image_lsb_put(v, &pos, im->height - 1, 14);
	image_lsb_put(v, &pos, im->a != 255, 1);
	image_lsb_put(v, &pos, 0, 3); /* version */
	image_lsb_put(v, &pos, 0, 1); /* no transform */
	image_lsb_put(v, &pos, 0, 1); /* no colour cache */
	image_lsb_put(v, &pos, 0, 1); /* one prefix code group */
	image_vp8l_code(v, &pos, im->g);
	image_vp8l_code(v, &pos, im->r);
	image_vp8l_code(v, &pos, im->b);
	image_vp8l_code(v, &pos, im->a);
	image_vp8l_code(v, &pos, 0); /* distance */
	size_t n = (pos + 7) / 8;
	buf_add(out, "RIFF", 4);
	image_le32(out, (uint32_t)(4 + 8 + n + (n & 1)));
	buf_add(out, "WEBPVP8L", 8);
	image_le32(out, (uint32_t)n);
	buf_add(out, v, n);
	if (n & 1)
		buf_addc(out, 0);
	return buf_finish(out);
}

int image_write(enum image_format f, const struct image_fill *im, struct buf *out)
{
	if (!im->width || !im->height || im->width > IMAGE_MAX_SIDE ||
	    im->height > IMAGE_MAX_SIDE)
		return CDPM_EINVAL;
	switch (f) {
	case IMAGE_JPEG:
		return image_jpeg(im, 0, im, out);
	case IMAGE_WEBP:
		return image_webp(im, out);
	case IMAGE_PNG:
	default:
		return image_png(im, out);
	}
}

int image_write_jpeg_band(const struct image_fill *im, uint32_t top_rows,
			  const struct image_fill *top, struct buf *out)
{
	if (!im->width || !im->height || im->width > IMAGE_MAX_SIDE ||
	    im->height > IMAGE_MAX_SIDE)
		return CDPM_EINVAL;
	return image_jpeg(im, top_rows, top, out);
}
