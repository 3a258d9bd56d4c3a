/* cdpc_stream.c - IO.read a stream to its end, then IO.close it (see
 * cdpc_stream.h).  The data never sits in memory beyond one read: each
 * chunk (10 MiB at most from Chrome) is written out as it comes. */
#include "cdpc_stream.h"
#include "b64.h"
#include "cdpm.h"

#include <stdlib.h>
#include <string.h>

/* Writes one chunk of data, decoding it first when b64. */
static int write_chunk(FILE *out, const char *data, size_t n, int b64, size_t *written,
		       struct buf *err)
{
	unsigned char *bin = NULL;
	size_t len = n;
	int rc = 0;

	if (b64) {
		bin = malloc(b64_decoded_max(n) + 1);
		if (!bin)
			return CDPM_ENOMEM;
		/* Chrome's IO.read sends standard padded base64. */
		if (b64_decode(data, n, B64_STRICT, bin, &len)) {
			rc = CDPM_EPROTO;
			if (err)
				buf_adds(err, "IO.read: data is not valid base64");
			goto out;
		}
	}
	if (len && fwrite(bin ? (const void *)bin : data, 1, len, out) != len) {
		if (err)
			buf_adds(err, "writing the stream failed");
		rc = CDPM_EIO;
		goto out;
	}
	*written = len;
out:
	free(bin);
	return rc;
}

/* Checks a reply: 0 for a result, CDPM_EPROTO (with err) for an error. */
static int check_reply(const char *method, json_t *reply, struct buf *err)
{
	int code;
	const char *message;

	if (!cdpc_error(reply, &code, &message) && json_is_object(cdpc_result(reply)))
		return 0;
	if (err) {
		if (cdpc_error(reply, NULL, NULL))
			buf_printf(err, "%s: error %d: %s", method, code, message);
		else
			buf_printf(err, "%s: reply has no result object", method);
	}
	return CDPM_EPROTO;
}

/* One IO.read; *eof says whether the stream is done. */
static int read_once(struct cdpc *c, json_t *params, const char *session_id, int timeout_ms,
		     FILE *out, size_t *n, int *eof, struct buf *err)
{
	json_auto_t *reply = NULL;
	const char *data;
	size_t len;
	int b64 = 0, rc;

	rc = cdpc_call(c, "IO.read", params, session_id, timeout_ms, &reply);
	if (rc) {
		if (err)
			buf_printf(err, "IO.read: %s", cdpm_strerror(rc));
		return rc;
	}
	rc = check_reply("IO.read", reply, err);
	if (rc)
		return rc;
	if (json_unpack(cdpc_result(reply), "{s?b,s:s%,s:b}", "base64Encoded", &b64, "data", &data,
			&len, "eof", eof)) {
		if (err)
			buf_adds(err, "IO.read: reply lacks data or eof");
		return CDPM_EPROTO;
	}
	return write_chunk(out, data, len, b64, n, err);
}

static int close_stream(struct cdpc *c, json_t *params, const char *session_id, int timeout_ms,
			struct buf *err)
{
	json_auto_t *reply = NULL;
	int rc = cdpc_call(c, "IO.close", params, session_id, timeout_ms, &reply);
	if (rc) {
		if (err)
			buf_printf(err, "IO.close: %s", cdpm_strerror(rc));
		return rc;
	}
	return check_reply("IO.close", reply, err);
}

int cdpc_stream_read(struct cdpc *c, const char *handle, const char *session_id,
		     int timeout_ms, FILE *out, size_t *total, struct buf *err)
{
	json_auto_t *params = json_pack("{s:s}", "handle", handle);
	size_t sum = 0;
	int rc, eof = 0, empty = 0;

	if (total)
		*total = 0;
	if (!params)
		return CDPM_ENOMEM;
	/* Chrome says eof only on a read that returns nothing (docs/chrome.md
	 * 4.5), so the loop always ends with one empty read. */
	while (!eof) {
		size_t n = 0;
		rc = read_once(c, params, session_id, timeout_ms, out, &n, &eof, err);
		if (rc)
			goto out;
		sum += n;
		empty = n || eof ? 0 : empty + 1;
		if (empty >= CDPC_STREAM_MAX_EMPTY_READS) {
			if (err)
				buf_adds(err, "IO.read: the stream makes no progress");
			rc = CDPM_EPROTO;
			goto out;
		}
	}
out:
	if (cdpc_is_open(c)) {
		int crc = close_stream(c, params, session_id, timeout_ms, rc ? NULL : err);
		if (!rc)
			rc = crc;
	}
	if (!rc && fflush(out)) {
		if (err)
			buf_adds(err, "writing the stream failed");
		rc = CDPM_EIO;
	}
	if (total)
		*total = sum;
	return rc;
}
