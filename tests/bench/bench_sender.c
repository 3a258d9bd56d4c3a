/* bench_sender.c - a bare sender for the benchmarks' ceiling: it speaks
 * just enough CDP over WebSocket to run bench_trace's flows (Tracing.start,
 * Tracing.end, IO.read, IO.close) and answers with frames built once and
 * written with writev(), so the measured rate is the receiving client's
 * and the loopback's, not a server's.  Not a server to test anything with.
 *
 *   bench_sender MB    serve one connection with MB megabytes of trace,
 *                      printing "PORT n" on stderr when listening */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define SENDER_CHUNK 65000	       /* event bytes per dataCollected frame */
#define SENDER_READ ((size_t)10 << 20) /* raw bytes per IO.read */

/* A typical X event of a Chrome trace. */
static const char sender_event[] =
    "{\"args\":{},\"cat\":\"toplevel\",\"dur\":23,\"name\":\"ThreadControllerImpl::RunTask\","
    "\"ph\":\"X\",\"pid\":14806,\"tdur\":23,\"tid\":14808,\"ts\":585031202,\"tts\":1122}";

static char *sender_chunk; /* ev,ev,...,ev */
static size_t sender_chunk_len, sender_chunk_events;
static char *sender_json; /* SENDER_READ raw bytes, escaped */
static size_t sender_json_len;
static char *sender_b64; /* SENDER_READ raw bytes, base64 */
static size_t sender_b64_len;

static int sender_writev(int fd, struct iovec *iov, int n)
{
	while (n) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		size_t left = (size_t)w;
		while (n && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
	return 0;
}

/* Writes one text frame made of the pieces. */
static int sender_frame(int fd, struct iovec *parts, int n)
{
	unsigned char h[10];
	size_t len = 0, hl = 2;
	struct iovec iov[8];
	for (int i = 0; i < n; i++)
		len += parts[i].iov_len;
	h[0] = 0x81;
	if (len < 126) {
		h[1] = (unsigned char)len;
	} else if (len <= 0xFFFF) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	iov[0].iov_base = h;
	iov[0].iov_len = hl;
	memcpy(iov + 1, parts, (size_t)n * sizeof(*parts));
	return sender_writev(fd, iov, n + 1);
}

static int sender_text(int fd, const char *s)
{
	struct iovec p = {(void *)s, strlen(s)};
	return sender_frame(fd, &p, 1);
}

static void sender_build(void)
{
	size_t el = sizeof(sender_event) - 1;
	sender_chunk = malloc(SENDER_CHUNK + el + 1);
	while (sender_chunk_len + el + 1 <= SENDER_CHUNK) {
		if (sender_chunk_len)
			sender_chunk[sender_chunk_len++] = ',';
		memcpy(sender_chunk + sender_chunk_len, sender_event, el);
		sender_chunk_len += el;
		sender_chunk_events++;
	}
	/* IO.read data: the raw stream ",\n{ev}" repeated, escaped for JSON. */
	sender_json = malloc(SENDER_READ * 2);
	size_t raw = 0;
	while (raw < SENDER_READ) {
		const char *src = sender_event;
		for (; *src && raw < SENDER_READ; src++, raw++) {
			if (*src == '"')
				sender_json[sender_json_len++] = '\\';
			sender_json[sender_json_len++] = *src;
		}
		if (raw + 2 <= SENDER_READ) {
			memcpy(sender_json + sender_json_len, ",\\n", 3);
			sender_json_len += 3;
			raw += 2;
		}
	}
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	sender_b64_len = SENDER_READ / 3 * 4 + 4;
	sender_b64 = malloc(sender_b64_len);
	uint32_t x = 12345;
	for (size_t i = 0; i < sender_b64_len - 4; i++) {
		x = x * 1103515245 + 12345;
		sender_b64[i] = a[(x >> 16) & 63];
	}
	memcpy(sender_b64 + sender_b64_len - 4, "AA==", 4);
}

/* Reads one client frame (masked) into msg; -1 at EOF. */
static int sender_read(int fd, char *msg, size_t cap)
{
	unsigned char h[14];
	if (recv(fd, h, 2, MSG_WAITALL) != 2)
		return -1;
	size_t len = h[1] & 0x7F, hl = 0;
	if (len == 126) {
		if (recv(fd, h + 2, 2, MSG_WAITALL) != 2)
			return -1;
		len = (size_t)h[2] << 8 | h[3];
	} else if (len == 127) {
		return -1;
	}
	unsigned char key[4];
	if ((h[1] & 0x80) && recv(fd, key, 4, MSG_WAITALL) != 4)
		return -1;
	if (len >= cap || recv(fd, msg, len, MSG_WAITALL) != (ssize_t)len)
		return -1;
	for (size_t i = 0; (h[1] & 0x80) && i < len; i++)
		msg[i] ^= (char)key[i & 3];
	msg[len] = '\0';
	(void)hl;
	return 0;
}

/* Serves one client: the whole trace is mb megabytes in either mode. */
static int sender_serve(int fd, double mb)
{
	char msg[4096], head[128];
	uint64_t total = (uint64_t)(mb * 1e6), sent = 0;
	int stream = 0, gzip = 0;
	char req[4096];
	size_t n = 0;
	while (n < 4 || memcmp(req + n - 4, "\r\n\r\n", 4)) {
		if (n == sizeof(req) || recv(fd, req + n, 1, 0) != 1)
			return -1;
		n++;
	}
	static const char ok[] =
	    "HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: "
	    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
	if (send(fd, ok, sizeof(ok) - 1, MSG_NOSIGNAL) < 0)
		return -1;
	while (!sender_read(fd, msg, sizeof(msg))) {
		int id = atoi(strstr(msg, "\"id\":") ? strstr(msg, "\"id\":") + 5 : "0");
		snprintf(head, sizeof(head), "{\"id\":%d,\"result\":{}}", id);
		if (strstr(msg, "\"Tracing.start\"")) {
			stream = strstr(msg, "ReturnAsStream") != NULL;
			gzip = strstr(msg, "gzip") != NULL;
			sender_text(fd, head);
		} else if (strstr(msg, "\"Tracing.end\"")) {
			sender_text(fd, head);
			static const char pre[] =
			    "{\"method\":\"Tracing.dataCollected\",\"params\":{\"value\":[";
			for (sent = 0; !stream && sent < total; sent += sender_chunk_len) {
				struct iovec p[3] = {{(void *)pre, sizeof(pre) - 1},
						     {sender_chunk, sender_chunk_len},
						     {"]}}", 3}};
				if (sender_frame(fd, p, 3))
					return -1;
			}
			sender_text(fd, stream
					    ? "{\"method\":\"Tracing.tracingComplete\",\"params\":"
					      "{\"dataLossOccurred\":false,\"stream\":\"1\","
					      "\"traceFormat\":\"json\",\"streamCompression\":"
					      "\"none\"}}"
					    : "{\"method\":\"Tracing.tracingComplete\",\"params\":"
					      "{\"dataLossOccurred\":false}}");
			sent = 0;
		} else if (strstr(msg, "\"IO.read\"")) {
			/* a read by offset (the client measuring its last chunk) gets data */
			int eof = sent >= total && !strstr(msg, "\"offset\"");
			snprintf(head, sizeof(head),
				 "{\"id\":%d,\"result\":{\"base64Encoded\":%s,\"data\":\"", id,
				 gzip ? "true" : "false");
			struct iovec p[3] = {
			    {head, strlen(head)},
			    {gzip ? sender_b64 : sender_json, eof    ? 0
							      : gzip ? sender_b64_len
								     : sender_json_len},
			    {(void *)(eof ? "\",\"eof\":true}}" : "\",\"eof\":false}}"),
			     eof ? 14 : 15}};
			if (sender_frame(fd, p, 3))
				return -1;
			sent += SENDER_READ;
		} else {
			sender_text(fd, head);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	double mb = argc > 1 ? atof(argv[1]) : 1024;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 4) ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl)) {
		perror("bench_sender");
		return 1;
	}
	sender_build();
	fprintf(stderr, "PORT %d\n", ntohs(sa.sin_port));
	fflush(stderr);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			break;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		sender_serve(fd, mb);
		close(fd);
	}
	return 0;
}
