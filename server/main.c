/* main.c - the cdpmock command line.  It takes Chrome's own flags (so that
 * puppeteer and playwright can launch it as if it were Chrome) plus a few of
 * its own, wires the layers together (the connection hooks, the router's
 * domains and dispatch), starts the loop and prints Chrome's DevTools
 * banner. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "admin.h"
#include "buf.h"
#include "cdp/discovery.h"
#include "cdp/router.h"
#include "cdp/targets.h"
#include "cdpm.h"
#include "clock.h"
#include "domains/domains.h"
#include "digest.h"
#include "journal.h"
#include "net/conn.h"
#include "net/http.h"
#include "net/loop.h"
#include "record/record.h"
#include "record/replay.h"
#include "scenario/scenario.h"
#include "scenario/scenload.h"
#include "scenlib.h"
#include "script/script.h"
#include "server.h"

#define CDPMOCK_VERSION "0.1.0"

static const char main_usage[] =
	"usage: cdpmock [options] [URL]\n"
	"A fake headless Chromium 156 for testing CDP clients.\n"
	"\n"
	"Chrome flags:\n"
	"  --remote-debugging-port=N      listen on N (0: the kernel picks); default 9222\n"
	"  --remote-debugging-address=A   listen address; default 127.0.0.1\n"
	"  --remote-debugging-pipe        serve CDP on fd 3 (in) and fd 4 (out), NUL-separated\n"
	"  --remote-allow-origins=LIST    comma-separated WebSocket origins to allow, or *\n"
	"  --user-data-dir=DIR            writes DIR/DevToolsActivePort as Chrome does\n"
	"  any other --flag               accepted and ignored (noted in the journal)\n"
	"  URL                            the first page's URL (default about:blank)\n"
	"\n"
	"cdpmock flags:\n"
	"  --scenario FILE|NAME           load a scenario file, or a library scenario by\n"
	"                                 name (tracing/complete-never; cdpmock-scenario(5))\n"
	"  --check FILE...                only validate scenario files; exit 0 or 1\n"
	"  -v, --verbose                  one line on stderr per connection, message and note\n"
	"  --list-scenarios [KEYWORD]     list the scenario library (names for --scenario)\n"
	"  --self-check [--no-heavy] FILE|NAME|DIR...\n"
	"                                 run each scenario's check against a private cdpmock\n"
	"  --journal FILE                 write every frame in and out as JSON Lines\n"
	"  --seed N                       seed for ids and generated data (default 0)\n"
	"  --clock real|virtual           timestamps from the real or a virtual clock\n"
	"  --max-message-size BYTES       inbound WebSocket message cap (default 268435456)\n"
	"  --no-deflate                   refuse permessage-deflate offers\n"
	"  --record-upstream http://H:P   a proxy in front of that browser that records\n"
	"  --record FILE                  the session as a scenario file (with --record-upstream)\n"
	"  --record-redact SPEC           path:A.B or re:REGEX: redact recorded strings (repeatable)\n"
	"  --replay-strict                a command no rule of the scenario answers gets an\n"
	"                                 error naming the nearest recorded one\n"
	"  --replay-timing real|fast      a recording's events at their recorded times, or\n"
	"                                 at once (fast, the default)\n"
	"  --digests                      note a digest of each trace, profile and coverage sent\n"
	"                                 in the journal (for cdpconform)\n"
	"limits (0 turns one off; see LIMITS in cdpmock(1)):\n"
	"  --http-header-timeout S        seconds for a request head to arrive (default 10)\n"
	"  --http-idle-timeout S          seconds a keep-alive connection may idle (default 60)\n"
	"  --max-targets N                open page targets (default 1000)\n"
	"  --max-outbox BYTES             bytes queued for one connection (default 268435456)\n"
	"  --journal-ring BYTES           keep the newest journal lines in BYTES of memory\n"
	"                                 for GET /mock/journal (default 0: no ring)\n"
	"  --help, --version\n";

struct main_args {
	const char *url;
	struct buf ignored; /* flags noted in the journal once it is open */
	char *origins;      /* storage for allow_origins */
	const char *record_upstream, *record_file;
	const char **redact; /* --record-redact specs, NULL-terminated */
	size_t n_redact;
	int replay_strict;
	int replay_real; /* --replay-timing real */
};

/* Returns the value of "--name=value" or "--name value" (advancing *i). */
static const char *main_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int main_origins(struct main_args *m, const char *list)
{
	size_t n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	free(m->origins);
	free(server.opts.allow_origins);
	m->origins = strdup(list);
	server.opts.allow_origins = calloc(n + 1, sizeof(char *));
	if (!m->origins || !server.opts.allow_origins)
		return CDPM_ENOMEM;
	size_t k = 0;
	for (char *tok = strtok(m->origins, ","); tok; tok = strtok(NULL, ","))
		if (!strcmp(tok, "*"))
			server.opts.allow_any_origin = 1;
		else
			server.opts.allow_origins[k++] = tok;
	return 0;
}

/* The limit flags (cdpmock(1) LIMITS): 1 when argv[*i] was one, 0 when
 * not, -1 (with a message) for a bad value.  0 turns a limit off. */
static int main_limits(int argc, char **argv, int *i)
{
	static const struct {
		const char *flag;
		unsigned long long max;
	} flags[] = {
		{"--http-header-timeout", 86400},
		{"--http-idle-timeout", 86400},
		{"--max-targets", 1000000},
		{"--max-outbox", (unsigned long long)1 << 40},
		{"--journal-ring", (unsigned long long)1 << 40},
	};
	for (size_t k = 0; k < CDPM_ARRAY_LEN(flags); k++) {
		const char *v = main_value(argc, argv, i, flags[k].flag);
		if (!v)
			continue;
		char *end;
		unsigned long long n = strtoull(v, &end, 10);
		if (!*v || *end || *v == '-' || n > flags[k].max) {
			fprintf(stderr, "cdpmock: %s takes an integer from 0 to %llu\n", flags[k].flag,
				flags[k].max);
			return -1;
		}
		if (k == 0)
			server.opts.http_header_timeout = (int)n;
		else if (k == 1)
			server.opts.http_idle_timeout = (int)n;
		else if (k == 2)
			server.opts.max_targets = (size_t)n;
		else if (k == 3)
			server.opts.max_outbox = (size_t)n;
		else
			server.opts.journal_ring = (size_t)n;
		return 1;
	}
	return 0;
}

static int main_parse(int argc, char **argv, struct main_args *m)
{
	const char *v;
	int lim;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(main_usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			printf("cdpmock %s (emulates Chromium 156.0.8078.79)\n", CDPMOCK_VERSION);
			exit(0);
		} else if ((v = main_value(argc, argv, &i, "--remote-debugging-port"))) {
			char *end;
			long p = strtol(v, &end, 10);
			if (*end || p < 0 || p > 65535) {
				fprintf(stderr, "cdpmock: bad port '%s'\n", v);
				return CDPM_EINVAL;
			}
			server.opts.port = (int)p;
		} else if ((v = main_value(argc, argv, &i, "--remote-debugging-address"))) {
			server.opts.address = v;
		} else if (!strcmp(a, "--remote-debugging-pipe")) {
			server.opts.pipe = 1;
		} else if ((v = main_value(argc, argv, &i, "--remote-allow-origins"))) {
			if (main_origins(m, v))
				return CDPM_ENOMEM;
		} else if ((v = main_value(argc, argv, &i, "--user-data-dir"))) {
			server.opts.user_data_dir = v;
		} else if ((v = main_value(argc, argv, &i, "--scenario"))) {
			server.opts.scenario = v;
		} else if ((v = main_value(argc, argv, &i, "--journal"))) {
			server.opts.journal = v;
		} else if ((v = main_value(argc, argv, &i, "--seed"))) {
			char *end;
			server.opts.seed = strtoull(v, &end, 0);
			if (!*v || *end) {
				fprintf(stderr, "cdpmock: --seed takes an integer\n");
				return CDPM_EINVAL;
			}
			server.opts.seed_set = 1;
		} else if ((v = main_value(argc, argv, &i, "--clock"))) {
			if (strcmp(v, "real") && strcmp(v, "virtual")) {
				fprintf(stderr, "cdpmock: --clock takes real or virtual\n");
				return CDPM_EINVAL;
			}
			server.opts.virtual_clock = !strcmp(v, "virtual");
		} else if ((v = main_value(argc, argv, &i, "--max-message-size"))) {
			server.opts.max_message = strtoull(v, NULL, 0);
			if (server.opts.max_message < 1024) {
				fprintf(stderr, "cdpmock: --max-message-size must be >= 1024\n");
				return CDPM_EINVAL;
			}
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			journal_verbose(1, isatty(2));
		} else if ((v = main_value(argc, argv, &i, "--record-upstream"))) {
			m->record_upstream = v;
		} else if ((v = main_value(argc, argv, &i, "--record-redact"))) {
			const char **r = realloc(m->redact, (m->n_redact + 2) * sizeof(*r));
			if (!r)
				return CDPM_ENOMEM;
			m->redact = r;
			r[m->n_redact++] = v;
			r[m->n_redact] = NULL;
		} else if ((v = main_value(argc, argv, &i, "--record"))) {
			m->record_file = v;
		} else if (!strcmp(a, "--replay-strict")) {
			m->replay_strict = 1;
		} else if ((v = main_value(argc, argv, &i, "--replay-timing"))) {
			if (strcmp(v, "real") && strcmp(v, "fast")) {
				fprintf(stderr, "cdpmock: --replay-timing takes real or fast\n");
				return CDPM_EINVAL;
			}
			m->replay_real = !strcmp(v, "real");
		} else if (!strcmp(a, "--digests")) {
			digest_enable();
		} else if ((lim = main_limits(argc, argv, &i)) != 0) {
			if (lim < 0)
				return CDPM_EINVAL;
		} else if (!strcmp(a, "--no-deflate")) {
			server.opts.no_deflate = 1;
		} else if (a[0] == '-') {
			/* Chrome flags we do not model (--headless=new, --no-sandbox...). */
			buf_printf(&m->ignored, "%s%s", m->ignored.len ? " " : "", a);
		} else {
			m->url = a;
		}
	}
	return 0;
}

/* --check FILE...: validates each file; one line per error on stderr. */
static int main_check(int argc, char **argv, int first)
{
	int bad = 0;
	struct buf errors;
	buf_init(&errors, 0);
	if (first >= argc) {
		fprintf(stderr, "cdpmock: --check needs at least one FILE\n");
		return 1;
	}
	for (int i = first; i < argc; i++) {
		struct scenario *sc;
		buf_reset(&errors);
		char *file = scenlib_resolve(argv[i], stderr);
		sc = NULL;
		if (!file || scenload_file(file, &errors, &sc)) {
			bad = 1;
			fputs(errors.data ? errors.data : "", stderr);
		} else {
			printf("%s: ok\n", file);
		}
		free(file);
		scenario_free(sc);
	}
	buf_clear(&errors);
	return bad;
}

/* --scenario FILE: loads it before anything depends on the knobs (with
 * --replay-timing real, a recording's times become delays: replay.h). */
static int main_scenario(int replay_real)
{
	struct buf errors;
	struct scenario *sc;
	buf_init(&errors, 0);
	char *file = scenlib_resolve(server.opts.scenario, stderr);
	if (!file) {
		buf_clear(&errors);
		return CDPM_ESCENARIO;
	}
	int rc = replay_real ? replay_timing_load(file, &errors, &sc)
			     : scenload_file(file, &errors, &sc);
	if (rc) {
		fputs(errors.data ? errors.data : "", stderr);
		fprintf(stderr, "cdpmock: cannot load scenario %s\n", file);
	} else {
		scenario_install(sc);
	}
	free(file);
	buf_clear(&errors);
	return rc;
}

/* ---- how a connection travels up the layers ---- */

/* HTTP: the admin API under /mock/, everything else is discovery. */
static int main_request(struct conn *c, const struct http_req *r)
{
	if (!strncmp(r->path, "/mock/", 6) || !strcmp(r->path, "/mock"))
		return admin_request(c, r->method, r->path, r->query, r->body, r->body_len);
	return discovery_request(c, r);
}

/* Only the admin API takes real bodies (scenario files). */
static size_t main_body_cap(const struct http_req *r)
{
	return !strncmp(r->target, "/mock/", 6) ? ADMIN_MAX_BODY : HTTP_MAX_HEAD;
}

/* A CDP connection: its root session, then the scenario's rules. */
static int main_open(struct conn *c)
{
	int rc = session_open_root(c);
	return rc ? rc : script_conn_open(c);
}

static const struct conn_hooks main_hooks = {
	.request = main_request,
	.upgrade = discovery_upgrade,
	.body_cap = main_body_cap,
	.open = main_open,
	.message = router_on_message,
	.close = session_close_all,
};

/* The browser's WebSocket path: the upstream's when recording. */
static const char *main_browser_path(void)
{
	static char path[128];
	const char *up = record_browser_path();
	if (up)
		return up;
	snprintf(path, sizeof(path), "/devtools/browser/%s", targets_browser()->id);
	return path;
}

/* Chrome writes "PORT\n/devtools/browser/UUID" to DevToolsActivePort. */
static void main_active_port(void)
{
	struct buf path;
	buf_init(&path, 0);
	mkdir(server.opts.user_data_dir, 0700);
	buf_printf(&path, "%s/DevToolsActivePort", server.opts.user_data_dir);
	FILE *f = fopen(path.data, "w");
	if (f) {
		fprintf(f, "%d\n%s", server.bound_port, main_browser_path());
		fclose(f);
	}
	buf_clear(&path);
}

static int main_start(struct main_args *m)
{
	journal_ring_limit(server.opts.journal_ring);
	if (server.opts.journal && journal_open(server.opts.journal)) {
		fprintf(stderr, "cdpmock: cannot write journal %s: %s\n", server.opts.journal,
			strerror(errno));
		return CDPM_EIO;
	}
	if (m->ignored.len)
		journal_note(0, "ignored Chrome flags: %s", m->ignored.data);
	clock_set_mode(server.opts.virtual_clock ? CLOCK_MODE_VIRTUAL : CLOCK_MODE_REAL);
	if (server.opts.scenario && main_scenario(m->replay_real))
		return CDPM_ESCENARIO;
	if (!server.opts.seed_set && scenario_current()->seed_set)
		server.opts.seed = scenario_current()->seed;
	rng_init(&server.rng, server.opts.seed);
	server.opts.url = m->url;
	const struct scenario *sc = scenario_current();
	if (targets_init(sc->pages_set ? sc->pages : NULL, sc->pages_set ? sc->n_pages : 0))
		return CDPM_ENOMEM;
	size_t n_domains;
	const struct domain *const *domains = domains_table(&n_domains);
	router_init(domains, n_domains, m->replay_strict ? replay_in : script_in);
	if (loop_init()) {
		fprintf(stderr, "cdpmock: cannot create the event loop\n");
		return CDPM_EIO;
	}
	if (script_start())
		return CDPM_ENOMEM;
	const struct conn_hooks *hooks = &main_hooks;
	if (m->record_upstream || m->record_file || m->redact) {
		if (!m->record_upstream) {
			fprintf(stderr, "cdpmock: --record and --record-redact need --record-upstream\n");
			return CDPM_EINVAL;
		}
		if (server.opts.pipe) {
			fprintf(stderr, "cdpmock: a recording proxy serves TCP, not --remote-debugging-pipe\n");
			return CDPM_EINVAL;
		}
		if (record_init(m->record_upstream, m->record_file, m->redact))
			return CDPM_EINVAL;
		hooks = record_hooks();
	}
	if (server.opts.pipe) {
		/* The pipe is a browser connection: its root session is the browser. */
		struct conn *c;
		if (conn_adopt_pipe(3, 4, &main_hooks, &c)) {
			fprintf(stderr, "cdpmock: --remote-debugging-pipe needs fds 3 and 4\n");
			return CDPM_EIO;
		}
		return conn_opened(c);
	}
	if (conn_listen(server.opts.address, server.opts.port, hooks, &server.bound_port)) {
		fprintf(stderr, "cdpmock: cannot listen on %s:%d: %s\n", server.opts.address,
			server.opts.port, strerror(errno));
		return CDPM_EIO;
	}
	snprintf(server.origin, sizeof(server.origin), "http://%s:%d", server.opts.address,
		 server.bound_port);
	if (server.opts.user_data_dir)
		main_active_port();
	fprintf(stderr, "\nDevTools listening on ws://%s:%d%s\n", server.opts.address,
		server.bound_port, main_browser_path());
	fflush(stderr);
	return 0;
}

/* Messages of a trace come and go at hundreds of MB/s.  glibc's defaults
 * hand the freed heap top back to the kernel after nearly every one and
 * mmap the big ones afresh, so each message pays page faults on memory
 * it just had: trace delivery ran at a quarter of its speed.  Keep up to
 * 64 MiB of free heap while clients are busy; the server hands it all
 * back (malloc_trim) when the last client leaves and after a big receive
 * buffer, so an idle server stays as small as a fresh one. */
static void main_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

#ifndef CDPM_LIBEXEC_DIR
#define CDPM_LIBEXEC_DIR "/usr/local/lib/cdpmock"
#endif

/* --self-check is cdpmock-selfcheck's job (selfcheck/main.c): the check
 * runner is a CDP client on libwebsockets, which the server never loads.
 * It sits beside this executable (the build tree), in ../lib/cdpmock (an
 * installation, even under DESTDIR) or in CDPM_LIBEXEC_DIR. */
static int main_self_check(char **argv)
{
	char self[PATH_MAX], dir[PATH_MAX], helper[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "cdpmock: --self-check: cannot find this program: %s\n",
			strerror(errno));
		return 2;
	}
	self[n] = '\0';
	memcpy(dir, self, (size_t)n + 1);
	*strrchr(dir, '/') = '\0';
	const char *const where[][2] = {{dir, ""}, {dir, "/../lib/cdpmock"}, {CDPM_LIBEXEC_DIR, ""}};
	setenv("CDPMOCK_SELFCHECK_SERVER", self, 1);
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(helper, sizeof(helper), "%s%s/cdpmock-selfcheck", where[i][0], where[i][1]);
		if (access(helper, X_OK))
			continue;
		argv[0] = helper;
		execv(helper, argv);
		fprintf(stderr, "cdpmock: --self-check: cannot run %s: %s\n", helper,
			strerror(errno));
		return 2;
	}
	fprintf(stderr, "cdpmock: --self-check needs cdpmock-selfcheck, which is not in %s, "
			"%s/../lib/cdpmock or %s\n", dir, dir, CDPM_LIBEXEC_DIR);
	return 2;
}

int main(int argc, char **argv)
{
	struct main_args m;
	memset(&m, 0, sizeof(m));
	/* --self-check runs private copies of this program; it serves nothing. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--self-check")) {
			argv[i] = argv[0];
			return main_self_check(argv + i);
		}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			return main_check(argc, argv, i + 1);
		if (!strcmp(argv[i], "--list-scenarios"))
			return scenlib_list(i + 1 < argc ? argv[i + 1] : NULL, stdout, stderr);
	}
	buf_init(&m.ignored, 0);
	main_malloc();
	server_defaults();
	int rc = main_parse(argc, argv, &m);
	if (!rc)
		rc = main_start(&m);
	if (!rc)
		loop_run();
	record_fini();
	replay_fini();
	loop_fini();
	script_fini();
	targets_fini();
	scenario_fini();
	journal_close();
	buf_clear(&m.ignored);
	free(m.origins);
	free(m.redact);
	free(server.opts.allow_origins);
	return rc ? 1 : 0;
}
