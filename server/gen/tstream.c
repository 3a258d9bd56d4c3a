/* tstream.c - ReturnAsStream bytes (see tstream.h).  Three layers: a raw
 * source (JSON text or protobuf packets, pulled from the generator), an
 * optional gzip layer (raw deflate by ISA-L's igzip at level 1, five times
 * zlib's level 1 at the same ratio, with a hand-written header and trailer),
 * and a small staging buffer that maps absolute offsets onto the produced
 * bytes.  Memory stays at a few hundred kB whatever the trace size. */
#include "gen/tstream.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include "cdpm.h"
#include "clock.h"
#include "gen/jsonesc.h"
#include "gen/traceproto.h"

#define TSTREAM_CHUNK ((size_t)64 << 10)
#define TSTREAM_SEP ",\n"

enum { SRC_PREFIX, SRC_EVENTS, SRC_SUFFIX, SRC_DONE };

struct tstream {
	struct trace_gen *g;
	enum tstream_format fmt;
	enum tstream_compression comp;
	struct traceproto proto;
	struct buf suffix; /* ],"metadata":\n{...}} */
	int src;	   /* SRC_* of the raw source */

	/* gzip */
	struct isal_zstream *z;
	void *z_level_buf;
	int z_state; /* 0 header due, 1 deflating, 2 trailer written */
	uint32_t crc;
	uint32_t isize;
	struct buf raw;
	size_t raw_off;

	/* Produced bytes [pos, pos + stage.len) not yet read past. */
	uint64_t pos;
	struct buf stage;
	int done;	/* everything has been produced into stage */
	struct buf esc; /* raw bytes on their way to tstream_read_json() */
};

/* Chromium 156's metadata dict, keys in byte order (docs/chrome.md §8);
 * returns buf_finish(b). */
static int add_metadata(struct buf *b, int64_t wall_us)
{
	static const char *const fixed_a =
	    "{\"clock-domain\":\"LINUX_CLOCK_MONOTONIC\","
	    "\"command_line\":\"/usr/lib/chromium/chromium --show-component-extension-options "
	    "--enable-gpu-rasterization --no-default-browser-check --disable-pings "
	    "--media-router=0 --enable-remote-extensions --load-extension= --headless "
	    "--no-sandbox --disable-gpu --disable-quic --no-first-run "
	    "--disable-background-networking --disable-component-update --disable-sync "
	    "--user-data-dir=/tmp/cdpmock-profile --remote-debugging-address=127.0.0.1 "
	    "--remote-debugging-port=9333 --flag-switches-begin --flag-switches-end about:blank\","
	    "\"cpu-brand\":\"Intel(R) Xeon(R) Processor\",\"cpu-family\":6,\"cpu-model\":85,"
	    "\"cpu-stepping\":7,\"gpu-devid\":0,\"gpu-driver\":\"\",\"gpu-gl-renderer\":\"\","
	    "\"gpu-gl-vendor\":\"\",\"gpu-psver\":\"\",\"gpu-venid\":0,\"gpu-vsver\":\"\","
	    "\"highres-ticks\":true,"
	    "\"net-constant-addressFamily\":{\"ADDRESS_FAMILY_IPV4\":1,\"ADDRESS_FAMILY_IPV6\":2,"
	    "\"ADDRESS_FAMILY_UNSPECIFIED\":0},"
	    "\"net-constant-logEventPhase\":{\"PHASE_BEGIN\":1,\"PHASE_END\":2,\"PHASE_NONE\":0},"
	    "\"net-constant-timeTickOffset\":\"1795290296000\","
	    "\"num-cpus\":8,\"os-arch\":\"x86_64\",\"os-name\":\"Linux\","
	    "\"os-version\":\"6.1.0-27-amd64\",\"physical-memory\":16008,"
	    "\"product-version\":\"Chrome/156.0.8078.79\","
	    "\"revision\":\"a21ce95c24ce3964416f09ae1862f53f319eb4d0-refs/branch-heads/"
	    "8078@{#79}\","
	    "\"trace-capture-datetime\":\"";
	static const char *const fixed_b =
	    "\",\"trace_processor_stats\":{\"json_display_time_unit\":0,"
	    "\"json_parser_failure\":0,\"json_tokenizer_failure\":0,\"misplaced_end_event\":0,"
	    "\"process_tracker_errors\":0,\"track_event_parser_errors\":0,"
	    "\"traced_buf_bytes_overwritten\":0,\"traced_buf_chunks_discarded\":0},"
	    "\"user-agent\":\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	    "Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\",\"v8-version\":\"15.6.75.27\"}";
	time_t t = (time_t)(wall_us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	buf_adds(b, fixed_a);
	/* Chrome prints it with "%u-%u-%u %d:%d:%d": no zero padding. */
	buf_printf(b, "%d-%d-%d %d:%d:%d", tm.tm_year + 1900, tm.tm_mon + 1,
		   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	buf_adds(b, fixed_b);
	return buf_finish(b);
}

/* ---- raw source ---- */

static int json_produce(struct tstream *s, struct buf *dst, size_t want)
{
	size_t start = dst->len, n;
	int rc = 0;

	while (!rc && s->src != SRC_DONE && dst->len - start < want) {
		switch (s->src) {
		case SRC_PREFIX:
			/* A state moves on only once its bytes are in: a read
			 * retried after a failure must not skip them. */
			rc = buf_adds(dst, "{\"traceEvents\":[\n");
			if (!rc)
				s->src = SRC_EVENTS;
			break;
		case SRC_EVENTS: {
			size_t mark = dst->len;
			int first = trace_gen_tell(s->g) == 0;
			if (trace_gen_tell(s->g) >= trace_gen_count(s->g)) {
				s->src = SRC_SUFFIX;
				break;
			}
			/* The loop condition leaves room >= 1; one event at least. */
			size_t room = want - (dst->len - start);
			if (!first) {
				buf_add(dst, TSTREAM_SEP, 2);
				room = room > 2 ? room - 2 : 1;
			}
			/* On a failed dst this takes no event and fails. */
			rc = trace_gen_next_sep(s->g, dst, room, SIZE_MAX, TSTREAM_SEP, 2, &n);
			if (rc && dst->data) {
				dst->len = mark;
				dst->data[mark] = '\0';
			}
			break;
		}
		case SRC_SUFFIX:
			rc = buf_add(dst, s->suffix.data, s->suffix.len);
			if (!rc)
				s->src = SRC_DONE;
			break;
		}
	}
	return rc;
}

/* Appends raw (uncompressed) stream bytes: at least want unless the source
 * ends, possibly a little more (whole events or packets). */
static int raw_produce(struct tstream *s, struct buf *dst, size_t want)
{
	if (s->fmt == TSTREAM_PROTO) {
		int done = 0;
		int rc = traceproto_fill(&s->proto, dst, want, &done);
		if (done)
			s->src = SRC_DONE;
		return rc;
	}
	return json_produce(s, dst, want);
}

/* ---- gzip layer ---- */

static void put_le32(struct buf *b, uint32_t v)
{
	char c[4] = {(char)v, (char)(v >> 8), (char)(v >> 16), (char)(v >> 24)};
	buf_add(b, c, 4);
}

/* Appends about want bytes of gzip output. */
static int gzip_produce(struct tstream *s, struct buf *dst, size_t want)
{
	/* RFC 1952 header as Chrome writes it: no name, mtime 0, XFL 0, OS 3. */
	static const char header[10] = {0x1f, (char)0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	size_t start = dst->len;
	int rc = 0;

	if (s->z_state == 0) {
		rc = buf_add(dst, header, sizeof(header));
		if (!rc)
			s->z_state = 1;
	}
	while (!rc && s->z_state == 1 && dst->len - start < want) {
		if (s->raw_off == s->raw.len && s->src != SRC_DONE) {
			buf_reset(&s->raw);
			s->raw_off = 0;
			rc = raw_produce(s, &s->raw, TSTREAM_CHUNK);
			if (rc)
				break;
			s->crc = crc32_gzip_refl(s->crc, (const unsigned char *)s->raw.data,
						 s->raw.len);
			s->isize += (uint32_t)s->raw.len;
		}
		rc = buf_reserve(dst, TSTREAM_CHUNK);
		if (rc)
			break;
		struct isal_zstream *z = s->z;
		z->next_in = (uint8_t *)s->raw.data + s->raw_off;
		z->avail_in = (uint32_t)(s->raw.len - s->raw_off);
		z->next_out = (uint8_t *)dst->data + dst->len;
		z->avail_out = (uint32_t)TSTREAM_CHUNK;
		z->end_of_stream = s->src == SRC_DONE;
		if (isal_deflate(z) != COMP_OK) {
			rc = CDPM_EIO;
			break;
		}
		s->raw_off = s->raw.len - z->avail_in;
		dst->len += TSTREAM_CHUNK - z->avail_out;
		dst->data[dst->len] = '\0';
		if (z->internal_state.state == ZSTATE_END) {
			put_le32(dst, s->crc);
			put_le32(dst, s->isize); /* ISIZE is the size mod 2^32 */
			rc = buf_finish(dst);
			s->z_state = 2;
		}
	}
	return rc;
}

static int produce(struct tstream *s, struct buf *dst, size_t want)
{
	int rc;

	if (s->comp == TSTREAM_GZIP) {
		rc = gzip_produce(s, dst, want);
		s->done = s->z_state == 2;
	} else {
		rc = raw_produce(s, dst, want);
		s->done = s->src == SRC_DONE;
	}
	return rc;
}

/* ---- offsets ---- */

static int rewind_stream(struct tstream *s)
{
	trace_gen_seek(s->g, 0);
	if (s->fmt == TSTREAM_PROTO)
		traceproto_rewind(&s->proto);
	s->src = SRC_PREFIX;
	s->pos = 0;
	s->done = 0;
	buf_reset(&s->stage);
	if (s->comp == TSTREAM_GZIP) {
		isal_deflate_reset(s->z);
		s->z_state = 0;
		s->crc = 0;
		s->isize = 0;
		buf_reset(&s->raw);
		s->raw_off = 0;
	}
	return 0;
}

/* Drops the staged bytes and produces the next ones: into out directly
 * when the read wants at least a chunk of uncompressed bytes (saves a
 * copy), else into the stage.  *got: bytes appended to out. */
static int advance(struct tstream *s, struct buf *out, size_t want, size_t *got)
{
	int rc;

	s->pos += s->stage.len;
	buf_reset(&s->stage);
	*got = 0;
	if (s->comp == TSTREAM_NONE && want >= TSTREAM_CHUNK) {
		size_t before = out->len, n;
		rc = produce(s, out, want);
		n = out->len - before;
		if (n > want) {
			/* The last event overshot: keep its tail for the next read. */
			int rc2 = buf_add(&s->stage, out->data + before + want, n - want);
			out->len = before + want;
			out->data[out->len] = '\0';
			n = want;
			rc = rc ? rc : rc2;
		}
		s->pos += n;
		*got = n;
		return rc;
	}
	return produce(s, &s->stage, TSTREAM_CHUNK);
}

int tstream_read(struct tstream *s, uint64_t offset, size_t max, struct buf *out, int *eof)
{
	int rc = 0;

	*eof = 0;
	if (offset < s->pos && (rc = rewind_stream(s)))
		return rc;
	/* Skip forward to the chunk holding offset. */
	while (offset >= s->pos + s->stage.len) {
		if (s->done) {
			*eof = 1;
			return 0;
		}
		s->pos += s->stage.len;
		buf_reset(&s->stage);
		rc = produce(s, &s->stage, TSTREAM_CHUNK);
		if (rc)
			return rc;
	}
	while (max && !rc) {
		size_t in = (size_t)(offset - s->pos), avail = s->stage.len - in, got;
		if (avail) {
			size_t n = avail < max ? avail : max;
			rc = buf_add(out, s->stage.data + in, n);
			offset += n;
			max -= n;
			continue;
		}
		if (s->done)
			break;
		rc = advance(s, out, max, &got);
		offset += got;
		max -= got;
	}
	return rc;
}

int tstream_read_json(struct tstream *s, uint64_t offset, size_t max, struct buf *out,
		      size_t *n_raw, int *eof)
{
	int rc = 0;

	*n_raw = 0;
	*eof = 0;
	/* In slices, so that the raw copy stays small. */
	while (max && !rc) {
		size_t want = max < TSTREAM_CHUNK ? max : TSTREAM_CHUNK;
		int e;
		buf_reset(&s->esc);
		rc = tstream_read(s, offset, want, &s->esc, &e);
		if (!rc && e && !*n_raw)
			*eof = 1;
		if (rc || !s->esc.len)
			break;
		rc = jsonesc_append(out, s->esc.data, s->esc.len);
		offset += s->esc.len;
		*n_raw += s->esc.len;
		max -= s->esc.len;
	}
	return rc;
}

const struct trace_gen *tstream_gen(const struct tstream *s)
{
	return s->g;
}

struct tstream *tstream_new(const struct trace_params *p, enum tstream_format format,
			    enum tstream_compression compression)
{
	return tstream_new_at(p, format, compression, clock_wall_us());
}

struct tstream *tstream_new_at(const struct trace_params *p, enum tstream_format format,
			       enum tstream_compression compression, int64_t wall_us)
{
	struct tstream *s = calloc(1, sizeof(*s));
	int rc = CDPM_ENOMEM;

	if (!s)
		return NULL;
	s->fmt = format == TSTREAM_PROTO ? TSTREAM_PROTO : TSTREAM_JSON;
	s->comp = compression == TSTREAM_GZIP ? TSTREAM_GZIP : TSTREAM_NONE;
	buf_init(&s->suffix, 0);
	buf_init(&s->raw, 0);
	buf_init(&s->stage, 0);
	buf_init(&s->esc, 0);
	s->g = trace_gen_new(p);
	if (!s->g)
		goto fail;
	if (s->fmt == TSTREAM_PROTO) {
		rc = traceproto_init(&s->proto, s->g, wall_us);
	} else {
		buf_adds(&s->suffix, "],\"metadata\":\n");
		add_metadata(&s->suffix, wall_us);
		buf_addc(&s->suffix, '}');
		rc = buf_finish(&s->suffix);
	}
	if (rc)
		goto fail;
	if (s->comp == TSTREAM_GZIP) {
		/* Raw deflate: the gzip header and trailer are ours. */
		s->z = malloc(sizeof(*s->z));
		s->z_level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
		if (!s->z || !s->z_level_buf)
			goto fail;
		isal_deflate_init(s->z);
		s->z->level = TSTREAM_GZIP_LEVEL;
		s->z->level_buf = s->z_level_buf;
		s->z->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	}
	if (rewind_stream(s))
		goto fail;
	return s;
fail:
	tstream_free(s);
	return NULL;
}

void tstream_free(struct tstream *s)
{
	if (!s)
		return;
	free(s->z);
	free(s->z_level_buf);
	if (s->fmt == TSTREAM_PROTO && s->g)
		traceproto_clear(&s->proto);
	trace_gen_free(s->g);
	buf_clear(&s->suffix);
	buf_clear(&s->raw);
	buf_clear(&s->stage);
	buf_clear(&s->esc);
	free(s);
}
