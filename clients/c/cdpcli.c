/* cdpcli.c - a command line CDP client for people: send commands to Chrome
 * or cdpmock in order, print the replies and chosen events, and save CPU
 * profiles and traces.  All protocol work is in the cdpclient library; this
 * file is argument parsing, printing and exit codes.  See cdpcli(1). */
#include "cdpc_stream.h"
#include "cdpc_check.h"
#include "cdpc_trace.h"
#include "cdpclient.h"
#include "cdpm.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CDPCLI_VERSION "0.1"
#define DEFAULT_ENDPOINT "http://127.0.0.1:9222"
#define DEFAULT_TIMEOUT_MS 30000

/* Exit statuses, as documented in cdpcli(1). */
enum {
	EXIT_OK = 0,
	EXIT_PROTOCOL = 1, /* an error reply, bad data, or an output file failed */
	EXIT_USAGE = 2,
	EXIT_CONN = 3, /* connection failed, closed, or timed out */
};

enum step_kind { STEP_CMD, STEP_SLEEP, STEP_SESSION, STEP_ATTACH, STEP_SEND };

/* One thing to do, in command-line order.  Strings point into argv. */
struct step {
	enum step_kind kind;
	const char *arg; /* method, session id, or text to send */
	json_t *params;  /* STEP_CMD: owned, may be NULL */
	long ms;         /* STEP_SLEEP */
};

struct cli {
	const char *endpoint;
	int page, raw, quiet, deflate;
	long timeout_ms;
	long long max_message;
	const char *listen; /* comma-separated methods, "*" or "Domain.*" items */
	const char *until;
	const char *save_profile;
	const char *trace_out;
	struct step *steps;
	size_t nsteps;

	/* run state */
	struct cdpc *c;
	char session[256]; /* "" means none */
	int until_seen;
	unsigned long long before_end; /* cdpc_received() as Tracing.end went */
	json_t *profile; /* from the last Profiler.stop */
};

static void usage(FILE *f)
{
	fputs("usage: cdpcli [options] STEP...\n"
	      "Send Chrome DevTools Protocol commands in order and print the replies.\n"
	      "\n"
	      "Steps (run in the order given):\n"
	      "  Domain.method [JSON]   send a command; JSON is its params object\n"
	      "  --sleep MS             wait MS milliseconds, printing --listen events\n"
	      "  --session ID           send the following commands on session ID\n"
	      "                         (\"\" goes back to the browser/page target)\n"
	      "  --attach               attach (flatten) to the first page target and\n"
	      "                         send the following commands on that session\n"
	      "  --send TEXT            send TEXT verbatim as one text frame, then print\n"
	      "                         the next message that arrives, raw\n"
	      "\n"
	      "Options:\n"
	      "  --endpoint URL         http://host:port (discovery, default " DEFAULT_ENDPOINT
	      ")\n"
	      "                         or ws://host:port/path\n"
	      "  --page                 with http://, connect to the first page target\n"
	      "                         instead of the browser\n"
	      "  --timeout MS           connect timeout and per-reply timeout (default 30000)\n"
	      "  --raw                  print replies and events exactly as received\n"
	      "  --quiet, -q            do not print command results\n"
	      "  --listen M1,M2,...     print these events as JSON lines; \"*\" is every\n"
	      "                         event, \"Domain.*\" every event of a domain\n"
	      "  --until METHOD         after the steps, wait for event METHOD\n"
	      "  --save-profile FILE    write the profile of the last Profiler.stop to FILE\n"
	      "  --trace-out FILE       after Tracing.end, collect the trace into FILE: the\n"
	      "                         dataCollected events as a JSON array, or the\n"
	      "                         stream named by tracingComplete (base64 decoded)\n"
	      "  --deflate              offer permessage-deflate\n"
	      "  --max-message BYTES    largest message accepted (default 512 MiB)\n"
	      "  --help, -h             this text\n"
	      "  --version              the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 a command returned an error (or an output failed),\n"
	      "2 usage, 3 connection failure or timeout.\n"
	      "\n"
	      "Example:\n"
	      "  cdpcli --page Profiler.enable Profiler.start --sleep 200 Profiler.stop \\\n"
	      "         --save-profile out.cpuprofile\n",
	      f);
}

/* Prints "cdpcli: what[: arg]" and a hint; returns EXIT_USAGE. */
static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "cdpcli: %s%s%s\n(cdpcli --help for help)\n", what, arg ? ": " : "",
		arg ? arg : "");
	return EXIT_USAGE;
}

/* ---- argument parsing ------------------------------------------------- */

static int parse_long(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return CDPM_EINVAL;
	*out = v;
	return 0;
}

static struct step *add_step(struct cli *cli, enum step_kind kind, const char *arg)
{
	struct step *s = realloc(cli->steps, (cli->nsteps + 1) * sizeof(*s));
	if (!s)
		return NULL;
	cli->steps = s;
	s += cli->nsteps++;
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->arg = arg;
	return s;
}

/* A command and, if the next argument is a JSON object, its params. */
static int parse_command(struct cli *cli, char **argv, int *i)
{
	const char *method = argv[*i];
	struct step *s;
	json_error_t jerr;

	if (!strchr(method, '.') || method[0] == '.')
		return usage_error("not a Domain.method command", method);
	s = add_step(cli, STEP_CMD, method);
	if (!s)
		return EXIT_PROTOCOL;
	const char *next = argv[*i + 1];
	if (!next || next[strspn(next, " \t\n")] != '{')
		return 0;
	s->params = json_loads(next, 0, &jerr);
	if (!s->params) {
		fprintf(stderr, "cdpcli: %s: params are not JSON: %s\n", method, jerr.text);
		return EXIT_USAGE;
	}
	(*i)++;
	return 0;
}

/* Matches argv[*i] against "--name" (with the value in the next argument)
 * or "--name=value"; *val gets the value.  1 when it matched. */
static int opt_value(char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	*val = argv[*i + 1];
	if (*val)
		(*i)++;
	return 1;
}

/* Options that take a value; returns -1 if argv[*i] is none of them. */
static int parse_valued(struct cli *cli, char **argv, int *i)
{
	const char *v = NULL;
	long long n;

	static const char *const names[] = { "--endpoint", "--timeout", "--listen",
					     "--until", "--save-profile", "--trace-out",
					     "--max-message", "--sleep", "--session", "--send" };
	size_t k;
	for (k = 0; k < CDPM_ARRAY_LEN(names); k++)
		if (opt_value(argv, i, names[k], &v))
			break;
	if (k == CDPM_ARRAY_LEN(names))
		return -1;
	if (!v)
		return usage_error("option needs a value", names[k]);
	switch (k) {
	case 0:
		cli->endpoint = v;
		return 0;
	case 1:
		if (parse_long(v, 1, INT_MAX, &n))
			return usage_error("bad --timeout", v);
		cli->timeout_ms = (long)n;
		return 0;
	case 2:
		cli->listen = v;
		return 0;
	case 3:
		cli->until = v;
		return 0;
	case 4:
		cli->save_profile = v;
		return 0;
	case 5:
		cli->trace_out = v;
		return 0;
	case 6:
		if (parse_long(v, 1, LLONG_MAX, &n))
			return usage_error("bad --max-message", v);
		cli->max_message = n;
		return 0;
	case 7:
		if (parse_long(v, 0, INT_MAX, &n))
			return usage_error("bad --sleep", v);
		if (!add_step(cli, STEP_SLEEP, v))
			return EXIT_PROTOCOL;
		cli->steps[cli->nsteps - 1].ms = (long)n;
		return 0;
	case 8:
		if (strlen(v) >= sizeof(cli->session))
			return usage_error("session id too long", v);
		return add_step(cli, STEP_SESSION, v) ? 0 : EXIT_PROTOCOL;
	default:
		return add_step(cli, STEP_SEND, v) ? 0 : EXIT_PROTOCOL;
	}
}

static int has_command(const struct cli *cli, const char *method)
{
	for (size_t i = 0; i < cli->nsteps; i++)
		if (cli->steps[i].kind == STEP_CMD && !strcmp(cli->steps[i].arg, method))
			return 1;
	return 0;
}

/* Fills cli from argv: 0, EXIT_USAGE, or -1 after --help/--version. */
static int parse_args(struct cli *cli, int argc, char **argv)
{
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return -1;
		} else if (!strcmp(a, "--version")) {
			puts("cdpcli " CDPCLI_VERSION);
			return -1;
		} else if (!strcmp(a, "--page")) {
			cli->page = 1;
		} else if (!strcmp(a, "--raw")) {
			cli->raw = 1;
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			cli->quiet = 1;
		} else if (!strcmp(a, "--deflate")) {
			cli->deflate = 1;
		} else if (!strcmp(a, "--attach")) {
			if (!add_step(cli, STEP_ATTACH, NULL))
				return EXIT_PROTOCOL;
		} else if (a[0] == '-') {
			rc = parse_valued(cli, argv, &i);
			if (rc < 0)
				return usage_error("unknown option", a);
			if (rc)
				return rc;
		} else {
			rc = parse_command(cli, argv, &i);
			if (rc)
				return rc;
		}
	}
	if (!cli->nsteps && !cli->until)
		return usage_error("nothing to do: give a command", NULL);
	if (cli->save_profile && !has_command(cli, "Profiler.stop"))
		return usage_error("--save-profile needs a Profiler.stop command", NULL);
	if (cli->trace_out && !has_command(cli, "Tracing.end"))
		return usage_error("--trace-out needs a Tracing.end command", NULL);
	return 0;
}

/* ---- printing --------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int exit_for(int rc)
{
	return rc == CDPM_EPROTO || rc == CDPM_EIO ? EXIT_PROTOCOL : EXIT_CONN;
}

static int listened(const struct cli *cli, const char *method)
{
	const char *p = cli->listen;

	if (!p || !method)
		return 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 1 && p[0] == '*')
			return 1;
		if (n >= 2 && p[n - 1] == '*' && p[n - 2] == '.' && !strncmp(method, p, n - 1))
			return 1;
		if (strlen(method) == n && !strncmp(method, p, n))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* Prints msg as one line: the raw bytes with --raw, else compact JSON. */
static void print_line(const struct cli *cli, json_t *msg)
{
	if (cli->raw) {
		size_t n;
		const char *r = cdpc_last_raw(cli->c, &n);
		fwrite(r, 1, n, stdout);
		putchar('\n');
	} else {
		json_dumpf(msg, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
		putchar('\n');
	}
	fflush(stdout);
}

/* An event (or a stray reply) that reached the CLI: print it if asked for,
 * and note the --until event.  A cdpc_msg_fn, for the trace collector. */
static void on_message(void *arg, json_t *msg)
{
	struct cli *cli = arg;
	const char *method = json_string_value(json_object_get(msg, "method"));

	if (listened(cli, method))
		print_line(cli, msg);
	if (method && cli->until && !strcmp(method, cli->until))
		cli->until_seen = 1;
}

/* Takes messages for up to timeout_ms (0: only what is queued), or until
 * the --until event when stop_at_until.  0, or a cdpc_next() error other
 * than the timeout. */
static int drain(struct cli *cli, long timeout_ms, int stop_at_until)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		json_t *msg = NULL;
		long long left = deadline - now_ms();
		if (stop_at_until && cli->until_seen)
			return 0;
		int rc = cdpc_next(cli->c, left > 0 ? (int)left : 0, &msg);
		if (rc == CDPM_EAGAIN)
			return 0;
		if (rc == CDPM_EPROTO) {
			fprintf(stderr, "cdpcli: a message is not JSON: %.200s\n",
				cdpc_last_raw(cli->c, NULL));
			continue;
		}
		if (rc)
			return rc;
		on_message(cli, msg);
		json_decref(msg);
	}
}

static void conn_error(const struct cli *cli, const char *what, int rc)
{
	fprintf(stderr, "cdpcli: %s: %s", what, cdpm_strerror(rc));
	if (rc == CDPM_ECLOSED)
		fprintf(stderr, " (close code %d)", cdpc_close_code(cli->c));
	fputc('\n', stderr);
}

/* ---- steps ------------------------------------------------------------ */

static const char *cur_session(const struct cli *cli)
{
	return cli->session[0] ? cli->session : NULL;
}

/* Progress of --trace-out on a terminal: the trace file's writes pass
 * through here (fopencookie), counted, and a line on stderr is redrawn at
 * most every 100 ms: bytes so far and events (each has one "ph" key; a
 * gzip stream shows bytes only). */
struct progress {
	FILE *file;
	unsigned long long bytes, events;
	long long shown_ms;
};

static void progress_show(struct progress *p, int last)
{
	fprintf(stderr, "\rcdpcli: trace: %llu bytes", p->bytes);
	if (p->events)
		fprintf(stderr, ", %llu events", p->events);
	fputs(last ? "\n" : "", stderr);
	fflush(stderr);
}

static ssize_t progress_write(void *cookie, const char *data, size_t len)
{
	struct progress *p = cookie;
	size_t n = fwrite(data, 1, len, p->file);
	p->bytes += n;
	for (const char *q = data; (q = memmem(q, (size_t)(data + n - q), "\"ph\":", 5)); q++)
		p->events++;
	if (now_ms() - p->shown_ms >= 100) {
		p->shown_ms = now_ms();
		progress_show(p, 0);
	}
	return n < len ? -1 : (ssize_t)n;
}

static int progress_close(void *cookie)
{
	struct progress *p = cookie;
	progress_show(p, 1);
	return fclose(p->file);
}

static int collect_trace(struct cli *cli)
{
	struct buf err;
	FILE *f = fopen(cli->trace_out, "wb");
	int rc;
	struct progress prog = {f, 0, 0, 0};

	if (!f) {
		fprintf(stderr, "cdpcli: %s: %s\n", cli->trace_out, strerror(errno));
		return EXIT_PROTOCOL;
	}
	if (isatty(2)) {
		cookie_io_functions_t io = {NULL, progress_write, NULL, progress_close};
		FILE *w = fopencookie(&prog, "wb", io);
		if (w)
			f = w;
	}
	buf_init(&err, 4096);
	rc = cdpc_trace_collect(cli->c, cur_session(cli), cli->before_end, (int)cli->timeout_ms, f,
				NULL, on_message, cli, &err);
	if (fclose(f) && !rc)
		rc = CDPM_EIO;
	if (rc)
		fprintf(stderr, "cdpcli: --trace-out: %s\n",
			err.len ? err.data : cdpm_strerror(rc));
	buf_clear(&err);
	return rc ? exit_for(rc) : EXIT_OK;
}

/* What a successful reply leads to beyond printing. */
static int after_reply(struct cli *cli, const char *method, json_t *result)
{
	if (!strcmp(method, "Profiler.stop")) {
		json_decref(cli->profile);
		cli->profile = json_incref(json_object_get(result, "profile"));
	}
	if (!strcmp(method, "Tracing.end") && cli->trace_out)
		return collect_trace(cli);
	return EXIT_OK;
}

static int run_command(struct cli *cli, const struct step *s)
{
	json_auto_t *reply = NULL;
	const char *message;
	int code;

	cli->before_end = cdpc_received(cli->c);
	int rc = cdpc_call(cli->c, s->arg, s->params, cur_session(cli), (int)cli->timeout_ms,
			   &reply);
	if (rc) {
		conn_error(cli, s->arg, rc);
		return rc == CDPM_EINVAL ? EXIT_USAGE : EXIT_CONN;
	}
	json_t *error = cdpc_error(reply, &code, &message);
	if (cli->raw && !cli->quiet)
		print_line(cli, reply);
	if (error) {
		const char *data = json_string_value(json_object_get(error, "data"));
		fprintf(stderr, "cdpcli: %s: error %d: %s%s%s%s\n", s->arg, code, message,
			data ? " (" : "", data ? data : "", data ? ")" : "");
		return EXIT_PROTOCOL;
	}
	json_t *result = cdpc_result(reply);
	/* A profile saved to a file is not printed as well. */
	int saved = cli->save_profile && !strcmp(s->arg, "Profiler.stop");
	if (!cli->raw && !cli->quiet && !saved) {
		json_dumpf(result ? result : json_null(), stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
		putchar('\n');
		fflush(stdout);
	}
	rc = after_reply(cli, s->arg, result);
	if (rc)
		return rc;
	/* Events that came with the reply, in order (not for Tracing.end with
	 * --trace-out: the collector has taken them).  A close right after a
	 * reply (Browser.close) is for the next step to report. */
	rc = drain(cli, 0, 0);
	return rc && rc != CDPM_ECLOSED ? EXIT_CONN : EXIT_OK;
}

/* Target.getTargets, then attach to the first page with flatten:true. */
static int run_attach(struct cli *cli)
{
	json_auto_t *targets = NULL, *reply = NULL, *params = NULL;
	const char *tid = NULL, *sid = NULL;
	size_t i;
	json_t *t;

	int rc = cdpc_call(cli->c, "Target.getTargets", NULL, NULL, (int)cli->timeout_ms, &targets);
	if (rc) {
		conn_error(cli, "Target.getTargets", rc);
		return EXIT_CONN;
	}
	json_array_foreach(json_object_get(cdpc_result(targets), "targetInfos"), i, t) {
		const char *type = json_string_value(json_object_get(t, "type"));
		if (type && !strcmp(type, "page")) {
			tid = json_string_value(json_object_get(t, "targetId"));
			break;
		}
	}
	if (!tid) {
		fputs("cdpcli: --attach: no page target\n", stderr);
		return EXIT_PROTOCOL;
	}
	params = json_pack("{s:s,s:b}", "targetId", tid, "flatten", 1);
	rc = cdpc_call(cli->c, "Target.attachToTarget", params, NULL, (int)cli->timeout_ms, &reply);
	if (rc) {
		conn_error(cli, "Target.attachToTarget", rc);
		return EXIT_CONN;
	}
	if (json_unpack(cdpc_result(reply), "{s:s}", "sessionId", &sid) ||
	    strlen(sid) >= sizeof(cli->session)) {
		fputs("cdpcli: --attach: Target.attachToTarget gave no sessionId\n", stderr);
		return EXIT_PROTOCOL;
	}
	memcpy(cli->session, sid, strlen(sid) + 1);
	rc = drain(cli, 0, 0);
	return rc && rc != CDPM_ECLOSED ? EXIT_CONN : EXIT_OK;
}

static int run_send(struct cli *cli, const struct step *s)
{
	json_t *msg = NULL;
	size_t n;

	int rc = cdpc_send_text(cli->c, s->arg, strlen(s->arg));
	if (!rc)
		rc = cdpc_next(cli->c, (int)cli->timeout_ms, &msg);
	json_decref(msg);
	if (rc && rc != CDPM_EPROTO) {
		conn_error(cli, "--send", rc);
		return EXIT_CONN;
	}
	const char *r = cdpc_last_raw(cli->c, &n);
	fwrite(r, 1, n, stdout);
	putchar('\n');
	fflush(stdout);
	return EXIT_OK;
}

static int run_step(struct cli *cli, const struct step *s)
{
	switch (s->kind) {
	case STEP_CMD:
		return run_command(cli, s);
	case STEP_SLEEP: {
		int rc = drain(cli, s->ms, 0);
		if (rc) {
			conn_error(cli, "--sleep", rc);
			return EXIT_CONN;
		}
		return EXIT_OK;
	}
	case STEP_SESSION:
		memcpy(cli->session, s->arg, strlen(s->arg) + 1);
		return EXIT_OK;
	case STEP_ATTACH:
		return run_attach(cli);
	default:
		return run_send(cli, s);
	}
}

static int save_profile(const struct cli *cli)
{
	FILE *f;

	if (!cli->profile) {
		fputs("cdpcli: --save-profile: Profiler.stop returned no profile\n", stderr);
		return EXIT_PROTOCOL;
	}
	struct buf err;
	buf_init(&err, 1024);
	if (cdpc_check_profile(cli->profile, &err)) {
		fprintf(stderr, "cdpcli: --save-profile: Profiler.stop: %s\n", err.data);
		buf_clear(&err);
		return EXIT_PROTOCOL;
	}
	buf_clear(&err);
	f = fopen(cli->save_profile, "wb");
	if (!f || json_dumpf(cli->profile, f, JSON_COMPACT) || fputc('\n', f) == EOF) {
		fprintf(stderr, "cdpcli: %s: %s\n", cli->save_profile, strerror(errno));
		if (f)
			fclose(f);
		return EXIT_PROTOCOL;
	}
	if (fclose(f)) {
		fprintf(stderr, "cdpcli: %s: %s\n", cli->save_profile, strerror(errno));
		return EXIT_PROTOCOL;
	}
	fprintf(stderr, "cdpcli: profile saved to %s: %zu nodes, %zu samples\n",
		cli->save_profile, json_array_size(json_object_get(cli->profile, "nodes")),
		json_array_size(json_object_get(cli->profile, "samples")));
	return EXIT_OK;
}

static int run(struct cli *cli)
{
	struct cdpc_opts opts = { 0 };
	struct buf err;
	int rc, ex = EXIT_OK;

	opts.connect_timeout_ms = (int)cli->timeout_ms;
	opts.deflate = cli->deflate;
	opts.page = cli->page;
	opts.max_message = (size_t)cli->max_message;
	buf_init(&err, 4096);
	rc = cdpc_connect(cli->endpoint, &opts, &cli->c, &err);
	if (rc) {
		fprintf(stderr, "cdpcli: %s\n", err.len ? err.data : cdpm_strerror(rc));
		buf_clear(&err);
		return rc == CDPM_EINVAL ? EXIT_USAGE : EXIT_CONN;
	}
	buf_clear(&err);
	for (size_t i = 0; i < cli->nsteps && !ex; i++)
		ex = run_step(cli, &cli->steps[i]);
	if (!ex && cli->until && !cli->until_seen) {
		rc = drain(cli, cli->timeout_ms, 1);
		if (rc || !cli->until_seen) {
			fprintf(stderr, "cdpcli: --until %s: %s\n", cli->until,
				rc ? cdpm_strerror(rc) : "timed out");
			ex = EXIT_CONN;
		}
	}
	if (!ex && cli->save_profile)
		ex = save_profile(cli);
	cdpc_close(cli->c, 1000);
	cdpc_free(cli->c);
	cli->c = NULL;
	return ex;
}

int main(int argc, char **argv)
{
	struct cli cli = { .endpoint = DEFAULT_ENDPOINT, .timeout_ms = DEFAULT_TIMEOUT_MS };
	int ex = parse_args(&cli, argc, argv);

	if (ex == 0)
		ex = run(&cli);
	else if (ex < 0)
		ex = EXIT_OK;
	for (size_t i = 0; i < cli.nsteps; i++)
		json_decref(cli.steps[i].params);
	free(cli.steps);
	json_decref(cli.profile);
	return ex;
}
