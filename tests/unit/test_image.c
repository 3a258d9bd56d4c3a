/* test_image.c - the screenshot encoders: a PNG whose IDAT inflates to the
 * right rows and whose chunks carry good CRCs, a JPEG with the size in its
 * frame header and every marker in place, a lossless WebP whose header
 * holds the size and the alpha bit; sizes out of range are refused. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "cdpm.h"
#include "gen/image.h"
#include "require.h"

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const struct image_fill image_sizes[] = {
    {800, 600, 255, 255, 255, 255}, {1, 1, 0, 0, 0, 255},   {37, 13, 10, 200, 30, 0},
    {3000, 2, 1, 2, 3, 128},	    {9, 4000, 250, 5, 5, 255},
};

START_TEST(png_rows_inflate_to_the_fill)
{
	const struct image_fill *im = &image_sizes[_i];
	struct buf b;
	buf_init(&b, 0);
	REQUIRE_EQ(image_write(IMAGE_PNG, im, &b), 0);
	const unsigned char *p = (const unsigned char *)b.data;
	REQUIRE(!memcmp(p, "\x89PNG\r\n\x1a\n", 8));
	size_t bpp = im->a == 255 ? 3 : 4, row = 1 + im->width * bpp;
	size_t raw_len = row * im->height, got = raw_len + 1;
	unsigned char *raw = malloc(raw_len + 1);
	REQUIRE(raw != NULL);
	int chunks = 0;
	for (size_t o = 8; o < b.len; chunks++) {
		uint32_t n = be32(p + o);
		const unsigned char *type = p + o + 4;
		REQUIRE_EQ(be32(p + o + 8 + n), (uint32_t)crc32(crc32(0, type, 4), type + 4, n));
		if (!memcmp(type, "IHDR", 4)) {
			REQUIRE_EQ(be32(type + 4), im->width);
			REQUIRE_EQ(be32(type + 8), im->height);
			REQUIRE_EQ(type[13], im->a == 255 ? 2 : 6);
		} else if (!memcmp(type, "IDAT", 4)) {
			uLongf out = (uLongf)got;
			REQUIRE_EQ(uncompress(raw, &out, type + 4, n), Z_OK);
			got = out;
		}
		o += 12 + n;
	}
	REQUIRE_EQ(chunks, 3);
	REQUIRE_EQ(got, raw_len);
	for (size_t y = 0; y < im->height; y++) {
		REQUIRE_EQ(raw[y * row], 0);
		const unsigned char *px = raw + y * row + 1 + (im->width - 1) * bpp;
		REQUIRE(px[0] == im->r && px[1] == im->g && px[2] == im->b);
		if (bpp == 4)
			REQUIRE_EQ(px[3], im->a);
	}
	free(raw);
	buf_clear(&b);
}
END_TEST

START_TEST(jpeg_frames_the_size)
{
	const struct image_fill *im = &image_sizes[_i];
	struct buf b;
	buf_init(&b, 0);
	REQUIRE_EQ(image_write(IMAGE_JPEG, im, &b), 0);
	const unsigned char *p = (const unsigned char *)b.data;
	REQUIRE(p[0] == 0xff && p[1] == 0xd8);
	REQUIRE(p[b.len - 2] == 0xff && p[b.len - 1] == 0xd9);
	/* Walk the markers up to the scan: APP0, DQT, SOF0, DHT, DHT, SOS. */
	static const unsigned char want[] = {0xe0, 0xdb, 0xc0, 0xc4, 0xc4, 0xda};
	size_t o = 2;
	for (size_t i = 0; i < sizeof(want); i++) {
		REQUIRE(p[o] == 0xff && p[o + 1] == want[i]);
		if (want[i] == 0xc0) {
			REQUIRE_EQ((uint32_t)(p[o + 5] << 8 | p[o + 6]), im->height);
			REQUIRE_EQ((uint32_t)(p[o + 7] << 8 | p[o + 8]), im->width);
		}
		o += 2 + (size_t)(p[o + 2] << 8 | p[o + 3]);
	}
	/* In the entropy data every 0xFF is stuffed. */
	for (; o < b.len - 2; o++)
		if (p[o] == 0xff)
			REQUIRE_EQ(p[++o], 0);
	buf_clear(&b);
}
END_TEST

START_TEST(webp_header_holds_size_and_alpha)
{
	const struct image_fill *im = &image_sizes[_i];
	struct buf b;
	buf_init(&b, 0);
	REQUIRE_EQ(image_write(IMAGE_WEBP, im, &b), 0);
	const unsigned char *p = (const unsigned char *)b.data;
	REQUIRE(!memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBPVP8L", 8));
	uint32_t riff = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
	REQUIRE_EQ(riff + 8, b.len);
	REQUIRE_EQ(p[20], 0x2f);
	uint32_t bits = p[21] | p[22] << 8 | p[23] << 16 | (uint32_t)p[24] << 24;
	REQUIRE_EQ((bits & 0x3fff) + 1, im->width);
	REQUIRE_EQ(((bits >> 14) & 0x3fff) + 1, im->height);
	REQUIRE_EQ((bits >> 28) & 1, im->a != 255);
	buf_clear(&b);
}
END_TEST

START_TEST(sizes_out_of_range_are_refused)
{
	struct image_fill bad[] = {{0, 10, 0, 0, 0, 255},
				   {10, 0, 0, 0, 0, 255},
				   {IMAGE_MAX_SIDE + 1, 10, 0, 0, 0, 255}};
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < CDPM_ARRAY_LEN(bad); i++)
		for (int f = IMAGE_PNG; f <= IMAGE_WEBP; f++)
			REQUIRE_EQ(image_write((enum image_format)f, &bad[i], &b), CDPM_EINVAL);
	REQUIRE_EQ(b.len, 0);
	buf_clear(&b);
}
END_TEST

Suite *image_suite(void);
Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("image");
	int n = (int)CDPM_ARRAY_LEN(image_sizes);
	tcase_add_loop_test(tc, png_rows_inflate_to_the_fill, 0, n);
	tcase_add_loop_test(tc, jpeg_frames_the_size, 0, n);
	tcase_add_loop_test(tc, webp_header_holds_size_and_alpha, 0, n);
	tcase_add_test(tc, sizes_out_of_range_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
