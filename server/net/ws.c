/* ws.c - WebSocket framing, handshake key and permessage-deflate (see ws.h).
 * Chrome's rules (docs/chrome.md §3.2): binary frames, unmasked client frames and
 * unknown opcodes drop TCP with no close frame; fragments are reassembled;
 * a close is answered with code 1000; ping gets pong. */
#include "net/ws.h"

#include <sha1.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "cdpm.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void ws_init(struct ws *w, size_t max_message, const struct ws_ops *ops, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->ctx = ctx;
	w->max_message = max_message ? max_message : WS_DEFAULT_MAX_MESSAGE;
	buf_init(&w->message, w->max_message);
	buf_init(&w->control, 256);
}

void ws_clear(struct ws *w)
{
	if (w->zin_ready)
		inflateEnd(&w->zin);
	if (w->zout_ready)
		deflateEnd(&w->zout);
	w->zin_ready = w->zout_ready = 0;
	buf_clear(&w->message);
	buf_clear(&w->control);
}

int ws_accept_key(const char *key, char *out, size_t outlen)
{
	struct buf b;
	unsigned char sha[20];
	buf_init(&b, 1024);
	int rc = buf_adds(&b, key);
	if (!rc)
		rc = buf_adds(&b, ws_guid);
	if (!rc) {
		SHA1_CTX ctx;
		SHA1Init(&ctx);
		SHA1Update(&ctx, (const uint8_t *)b.data, b.len);
		SHA1Final(sha, &ctx);
		buf_reset(&b);
		rc = b64_encode_buf(&b, sha, sizeof(sha));
	}
	if (!rc && b.len >= outlen)
		rc = CDPM_ETOOBIG;
	if (!rc)
		memcpy(out, b.data, b.len + 1);
	buf_clear(&b);
	return rc;
}

/* Parses one extension offer ("permessage-deflate; a; b=1"); returns 1 and
 * fills the response when we can accept it. */
static int ws_offer_accept(struct ws *w, const char *s, size_t n, struct buf *resp)
{
	static const char name[] = "permessage-deflate";
	size_t i = 0;
	int snct = 0, cnct = 0, cmwb = 0, smwb = 0;
	long cmwb_v = 15, smwb_v = 15;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < sizeof(name) - 1 || strncasecmp(s + i, name, sizeof(name) - 1))
		return 0;
	i += sizeof(name) - 1;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && s[i] != ';')
			return 0;
		i++;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t ks = i;
		while (i < n && s[i] != '=' && s[i] != ';' && s[i] != ' ')
			i++;
		size_t kl = i - ks;
		long v = -1;
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == '=') {
			i++;
			if (i < n && s[i] == '"')
				i++;
			v = 0;
			while (i < n && s[i] >= '0' && s[i] <= '9' && v < 100)
				v = v * 10 + (s[i++] - '0');
			if (i < n && s[i] == '"')
				i++;
		}
#define WS_KEY(k) (kl == sizeof(k) - 1 && !strncasecmp(s + ks, k, kl))
		if (kl == 0)
			continue;
		else if (WS_KEY("server_no_context_takeover"))
			snct = 1;
		else if (WS_KEY("client_no_context_takeover"))
			cnct = 1;
		else if (WS_KEY("server_max_window_bits"))
			smwb = 1, smwb_v = v;
		else if (WS_KEY("client_max_window_bits"))
			cmwb = 1, cmwb_v = v < 0 ? 15 : v;
		else
			return 0;
#undef WS_KEY
	}
	/* zlib cannot produce raw deflate with an 8-bit window. */
	if (smwb && (smwb_v < 9 || smwb_v > 15))
		return 0;
	if (cmwb && (cmwb_v < 8 || cmwb_v > 15))
		return 0;
	if (deflateInit2(&w->zout, Z_BEST_SPEED, Z_DEFLATED, -(int)smwb_v, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	w->zout_ready = 1;
	if (inflateInit2(&w->zin, -15) != Z_OK) {
		deflateEnd(&w->zout);
		w->zout_ready = 0;
		return 0;
	}
	w->zin_ready = 1;
	w->deflate = 1;
	w->server_no_context = snct;
	w->client_no_context = cnct;
	buf_adds(resp, name);
	if (snct)
		buf_adds(resp, "; server_no_context_takeover");
	if (cnct)
		buf_adds(resp, "; client_no_context_takeover");
	if (smwb)
		buf_printf(resp, "; server_max_window_bits=%ld", smwb_v);
	if (cmwb)
		buf_printf(resp, "; client_max_window_bits=%ld", cmwb_v);
	return 1;
}

int ws_negotiate_deflate(struct ws *w, const char *offer, struct buf *resp)
{
	const char *p = offer;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (ws_offer_accept(w, p, n, resp))
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

size_t ws_frame_header(unsigned char *end, int opcode, int rsv1, uint64_t len)
{
	unsigned char b0 = (unsigned char)(0x80 | (rsv1 ? 0x40 : 0) | (opcode & 0x0F));
	if (len < 126) {
		end[-2] = b0;
		end[-1] = (unsigned char)len;
		return 2;
	}
	if (len <= 0xFFFF) {
		end[-4] = b0;
		end[-3] = 126;
		end[-2] = (unsigned char)(len >> 8);
		end[-1] = (unsigned char)len;
		return 4;
	}
	end[-10] = b0;
	end[-9] = 127;
	for (int i = 0; i < 8; i++)
		end[-1 - i] = (unsigned char)(len >> (8 * i));
	return 10;
}

int ws_compress(struct ws *w, struct buf *b, size_t headroom)
{
	struct buf out;
	size_t in_len = b->len - headroom;
	buf_init(&out, 0);
	int rc = buf_reserve(&out, headroom + deflateBound(&w->zout, in_len) + 16);
	if (rc)
		goto out;
	out.len = headroom;
	w->zout.next_in = (unsigned char *)b->data + headroom;
	w->zout.avail_in = (uInt)in_len;
	do {
		if (out.alloc - out.len < 64 && (rc = buf_reserve(&out, 65536)))
			goto out;
		w->zout.next_out = (unsigned char *)out.data + out.len;
		w->zout.avail_out = (uInt)(out.alloc - out.len - 1);
		size_t before = w->zout.avail_out;
		if (deflate(&w->zout, Z_SYNC_FLUSH) == Z_STREAM_ERROR) {
			rc = CDPM_EIO;
			goto out;
		}
		out.len += before - w->zout.avail_out;
	} while (w->zout.avail_out == 0 || w->zout.avail_in);
	/* RFC 7692 7.2.1: drop the 00 00 ff ff tail of the sync flush. */
	if (out.len >= headroom + 4)
		out.len -= 4;
	if (w->server_no_context)
		deflateReset(&w->zout);
	buf_clear(b);
	*b = out;
	return 0;
out:
	buf_clear(&out);
	return rc;
}

/* After a final (BFINAL) deflate block the stream has ended, and RFC 7692
 * 7.2.3.3 allows a sender to end every message that way.  Start a new
 * stream for what follows, keeping the window unless the client resets its
 * context: a later message may still refer back to this one. */
static int ws_inflate_restart(struct ws *w)
{
	unsigned char win[32768];
	uInt n = sizeof(win);
	if (w->client_no_context)
		return inflateReset(&w->zin) == Z_OK ? 0 : CDPM_EIO;
	if (inflateGetDictionary(&w->zin, win, &n) != Z_OK || inflateReset(&w->zin) != Z_OK ||
	    inflateSetDictionary(&w->zin, win, n) != Z_OK)
		return CDPM_EIO;
	return 0;
}

/* Inflates the reassembled message in place of w->message.  The cap applies
 * to the inflated size, exactly: output stops one byte past max_message, so
 * a deflate bomb costs at most the cap, and fails with CDPM_ETOOBIG. */
static int ws_inflate(struct ws *w)
{
	static const unsigned char tail[4] = {0, 0, 0xff, 0xff};
	struct buf out;
	int rc = buf_add(&w->message, tail, 4);
	if (rc)
		return rc;
	buf_init(&out, w->max_message + 1);
	w->zin.next_in = (unsigned char *)w->message.data;
	w->zin.avail_in = (uInt)w->message.len;
	for (;;) {
		/* Grow by doubling from 64 KiB, never past cap + 1. */
		size_t room = out.len < 65536 ? 65536 : out.len;
		if (room > out.cap - out.len)
			room = out.cap - out.len;
		if (room > (size_t)1 << 30)
			room = (size_t)1 << 30;
		if ((rc = buf_reserve(&out, room)))
			goto out;
		w->zin.next_out = (unsigned char *)out.data + out.len;
		w->zin.avail_out = (uInt)room;
		int zr = inflate(&w->zin, Z_SYNC_FLUSH);
		out.len += room - w->zin.avail_out;
		if (out.len > w->max_message) {
			rc = CDPM_ETOOBIG;
			goto out;
		}
		if (zr == Z_STREAM_END) {
			if ((rc = ws_inflate_restart(w)))
				goto out;
			/* Only our own sync tail left: the message is complete. */
			if (w->zin.avail_in <= sizeof(tail))
				break;
			continue;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = CDPM_EPROTO;
			goto out;
		}
		/* Done when all input is in and inflate had room to spare (it
		 * may hold back output when the buffer filled up). */
		if (w->zin.avail_out && (!w->zin.avail_in || zr == Z_BUF_ERROR))
			break;
	}
	out.data[out.len] = '\0';
	if (w->client_no_context)
		inflateReset(&w->zin);
	buf_clear(&w->message);
	w->message = out;
	w->message.cap = w->max_message;
	return 0;
out:
	buf_clear(&out);
	return rc;
}

/* Validates a complete frame header and prepares to read its payload. */
static int ws_header_done(struct ws *w)
{
	unsigned b0 = w->hdr[0], b1 = w->hdr[1];
	int op = b0 & 0x0F, rsv = b0 & 0x70;
	uint64_t len = b1 & 0x7F;
	size_t at = 2;
	if (len == 126) {
		len = ((uint64_t)w->hdr[2] << 8) | w->hdr[3];
		at = 4;
	} else if (len == 127) {
		len = 0;
		for (int i = 0; i < 8; i++)
			len = (len << 8) | w->hdr[2 + i];
		at = 10;
		if (len >> 63)
			return CDPM_EPROTO;
	}
	memcpy(w->mask, w->hdr + at, 4);
	w->mask_pos = 0;
	w->opcode = op;
	w->fin = !!(b0 & 0x80);
	w->payload_left = len;
	if (!(b1 & 0x80))
		return CDPM_EPROTO; /* unmasked client frame: Chrome drops TCP */
	switch (op) {
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		if (!w->fin || len > 125 || rsv)
			return CDPM_EPROTO;
		buf_reset(&w->control);
		return 0;
	case WS_OP_TEXT:
		if (w->in_message)
			return CDPM_EPROTO;
		if (rsv & ~(w->deflate ? 0x40 : 0))
			return CDPM_EPROTO;
		w->in_message = 1;
		w->message_compressed = !!(rsv & 0x40);
		buf_reset(&w->message);
		break;
	case WS_OP_CONT:
		if (!w->in_message || rsv)
			return CDPM_EPROTO;
		break;
	default: /* binary and reserved opcodes */
		return CDPM_EPROTO;
	}
	if (len > w->max_message - w->message.len)
		return CDPM_ETOOBIG;
	return buf_reserve(&w->message, (size_t)len);
}

static int ws_frame_done(struct ws *w)
{
	int rc = 0;
	switch (w->opcode) {
	case WS_OP_PING:
		return w->ops->send_frame(w->ctx, WS_OP_PONG, w->control.data, w->control.len);
	case WS_OP_PONG:
		return 0;
	case WS_OP_CLOSE:
		if (!w->close_sent) {
			static const unsigned char normal[2] = {0x03, 0xE8}; /* 1000 */
			w->close_sent = 1;
			rc = w->ops->send_frame(w->ctx, WS_OP_CLOSE, normal, 2);
		}
		w->ops->close(w->ctx);
		return rc;
	}
	if (!w->fin)
		return 0;
	w->in_message = 0;
	if (w->message_compressed && (rc = ws_inflate(w)))
		return rc;
	w->ops->deliver(w->ctx, w->message.data ? w->message.data : "", w->message.len);
	buf_reset(&w->message);
	w->ops->release(w->ctx, &w->message);
	return 0;
}

static void ws_unmask(struct ws *w, unsigned char *dst, const unsigned char *src, size_t n)
{
	size_t m = w->mask_pos;
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] ^ w->mask[(m + i) & 3];
	w->mask_pos = (m + n) & 3;
}

/* Header bytes needed so far, given what has been read. */
static size_t ws_header_need(const struct ws *w)
{
	if (w->hdr_len < 2)
		return 2;
	unsigned l = w->hdr[1] & 0x7F;
	return 2 + (l == 126 ? 2 : l == 127 ? 8 : 0) + 4;
}

int ws_feed(struct ws *w, const unsigned char *p, size_t n)
{
	int rc;
	while (n && !w->ops->stopped(w->ctx)) {
		if (w->hdr_len < 2 || w->hdr_len < ws_header_need(w)) {
			w->hdr[w->hdr_len++] = *p++;
			n--;
			/* Chrome drops an unmasked client frame at once; don't wait
			 * for four "mask" bytes that will never be a mask. */
			if (w->hdr_len == 2 && !(w->hdr[1] & 0x80))
				return CDPM_EPROTO;
			if (w->hdr_len < 2 || w->hdr_len < ws_header_need(w))
				continue;
			if ((rc = ws_header_done(w)))
				return rc;
			if (w->payload_left)
				continue;
		} else {
			size_t take = n < w->payload_left ? n : (size_t)w->payload_left;
			struct buf *dst = w->opcode >= WS_OP_CLOSE ? &w->control : &w->message;
			if ((rc = buf_reserve(dst, take)))
				return rc;
			ws_unmask(w, (unsigned char *)dst->data + dst->len, p, take);
			dst->len += take;
			dst->data[dst->len] = '\0';
			p += take;
			n -= take;
			w->payload_left -= take;
			if (w->payload_left)
				continue;
		}
		w->hdr_len = 0;
		if ((rc = ws_frame_done(w)))
			return rc;
	}
	return 0;
}
