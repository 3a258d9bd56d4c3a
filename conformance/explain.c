/* explain.c - one line for a failed case: what the client did wrong and what
 * its user sees.  It comes from the data of the case, not from a text per
 * case: the outcome (hang, crash, or the first failed check), the task,
 * words of the scenario's name and of the judge's reason pick the first
 * matching rule of a short table.  The scenario's description, which says
 * what the browser did, is shown beside it by the reports. */
#include "conform.h"

#include <stdlib.h>
#include <string.h>

struct explain_rule {
	const char *outcome;  /* "hang", "crash", "fail:CHECK" */
	const char *task;     /* NULL: any */
	const char *scenario; /* NULL, or words ('|'-separated), one in the name */
	const char *reason;   /* NULL, or a substring of the judge's reason */
	const char *does;     /* what the client does wrong */
	const char *sees;     /* what its user sees */
};

/* A lost connection: the scenario's name says how it is lost. */
#define EXPLAIN_LOST                                                                               \
	"disconnect|close-at|close-with|tcp-reset|fin-without|invalid-utf8|invalid-frame"

static const struct explain_rule explain_rules[] = {
    {"hang", NULL, EXPLAIN_LOST, NULL,
     "does not notice that the connection is gone and keeps waiting for a reply or an event "
     "that can no longer come",
     "a hang: the script or test never ends and reports no error"},
    {"hang", NULL, "never-eof", NULL, "reads a stream that never says eof forever, with no limit",
     "a hang (an endless loop of IO.read) and no error"},
    {"hang", NULL, NULL, NULL, "waits with no timeout for a browser that has gone silent",
     "a hang: the script or test never ends and reports no error"},
    {"crash", NULL, NULL, "Assertion", "trips an internal assertion on a message it did not expect",
     "the whole process dies of an uncaught exception that no try/catch can stop"},
    {"crash", NULL, NULL, NULL, "dies of an uncaught exception",
     "the whole process ends; no try/catch of the user's can stop it"},
    {"fail:dataLoss", NULL, NULL, "cannot report",
     "ignores tracingComplete's dataLossOccurred: true and gives its user no way to learn it",
     "a silently truncated trace: it looks complete and nothing says events were dropped"},
    {"fail:dataLoss", NULL, NULL, "\"dataLoss\": false",
     "reports no data loss although the browser said data was lost",
     "a silently truncated trace: it looks complete and nothing says events were dropped"},
    {"fail:dataLoss", NULL, NULL, NULL, "reports data loss that did not happen",
     "a false alarm about a complete trace"},
    {"fail:closeStreams", NULL, NULL, NULL, "never closes the trace's stream with IO.close",
     "nothing at first; the browser keeps the trace's data in memory until the connection "
     "closes (a leak in a long-lived session)"},
    {"fail:exit", "trace-twice", NULL, "where a correct client succeeds",
     "stays stuck after a failed first trace: the second trace on the same connection fails "
     "too",
     "a stuck recording flag: every later trace throws until the user reconnects"},
    {"fail:exit", NULL, NULL, "where a correct client succeeds",
     "fails a task that a correct client completes with what the browser sent",
     "an error although the browser did nothing wrong"},
    {"fail:exit", NULL, NULL, "reported success where", "reports success for a task that failed",
     "no error: a missing or partial result that looks fine"},
    {"fail:exit", NULL, NULL, NULL, "exits with a status its own result contradicts",
     "a result the caller cannot trust"},
    {"fail:protocol", NULL, NULL, "handle", "reads or closes a stream the browser never gave out",
     "a misleading protocol error (Invalid parameters) instead of the real cause"},
    {"fail:protocol", NULL, NULL, NULL, "breaks a protocol rule",
     "a protocol error from Chrome instead of the real cause"},
    {"fail:trace", NULL, NULL, NULL, "hands over a trace that is not the one the browser sent",
     "a silently corrupted or truncated trace"},
    {"fail:profile", NULL, NULL, NULL, "hands over a profile that is not the one the browser sent",
     "a wrong profile and no error"},
    {"fail:coverage", NULL, NULL, NULL, "hands over coverage that is not the one the browser sent",
     "wrong coverage and no error"},
    {"fail:outputs", NULL, NULL, NULL, "does not hand over the task's result",
     "a missing or unreadable result"},
    {"fail:timeLimit", NULL, NULL, NULL, "finishes, but only after the time limit",
     "a test that takes far longer than it should"},
    {"fail:send", NULL, NULL, NULL, "never sends a command the task cannot do without",
     "a task that silently does not happen"},
    {"fail:notSend", NULL, NULL, NULL, "sends a command it should not have sent",
     "a different trace or profile than the one asked for"},
    {"fail:noCommandAfter", NULL, NULL, NULL,
     "keeps sending commands after the browser said it was done",
     "errors from a session that has gone"},
    {"fail:leftovers", NULL, NULL, NULL, "leaves the browser it launched running after closing it",
     "a stray browser process after every run"},
    {"fail:baseline", NULL, NULL, NULL, "now passes a case its baseline lists as failing",
     "nothing wrong: the baseline is out of date"},
    {"fail:mock", NULL, NULL, NULL, "(not the client's fault) the browser could not start",
     "no result at all"},
};

/* Whether one of the '|'-separated words is in s. */
static int explain_any_word(const char *words, const char *s)
{
	while (words && *words) {
		size_t n = strcspn(words, "|");
		char w[64];
		if (n < sizeof(w)) {
			memcpy(w, words, n);
			w[n] = '\0';
			if (strstr(s, w))
				return 1;
		}
		words += n + (words[n] == '|');
	}
	return 0;
}

char *explain_case(const struct ccase *c)
{
	char *o = baseline_outcome(c);
	const char *reason = c->reason ? c->reason : "";
	char *line = NULL;
	for (size_t i = 0; o && i < sizeof(explain_rules) / sizeof(*explain_rules); i++) {
		const struct explain_rule *r = &explain_rules[i];
		if (strcmp(r->outcome, o) || (r->task && strcmp(r->task, c->task)) ||
		    (r->scenario && !explain_any_word(r->scenario, c->scenario)) ||
		    (r->reason && !strstr(reason, r->reason)))
			continue;
		line = util_printf("%s; the user sees %s", r->does, r->sees);
		break;
	}
	if (!line && o && strcmp(o, "pass"))
		line = util_printf("fails the %s check", strchr(o, ':') ? strchr(o, ':') + 1 : o);
	free(o);
	return line ? line : util_strdup("");
}
