/* timeline.h - the scenario's timelines: lists of steps run at set times
 * after a start (server start or scenario load, each CDP connection, or any
 * message in or out that matches a pattern).  A step emits messages, acts
 * on the connection, runs console.profile/profileEnd or a coverage update
 * on a page (profiler.h), or reports Tracing.bufferUsage.  Steps are
 * scheduled on the loop's timers, so --clock virtual makes them exact. */
#ifndef CDPM_TIMELINE_H
#define CDPM_TIMELINE_H

struct conn;
struct line_msg;

/* Running instances at most; starts past this are noted and skipped. */
#define TIMELINE_MAX_RUNNING 1024

/* timeline_reset() - stops every running instance and sizes the start
 * counters for the scenario in force.  0 or CDPM_ENOMEM. */
int timeline_reset(void);
/* timeline_fini() - frees everything (at exit). */
void timeline_fini(void);
/* timeline_load() - starts the "load" timelines.  0 or CDPM_ENOMEM. */
int timeline_load(void);
/* timeline_connect() - starts the "connect" timelines for c. */
void timeline_connect(struct conn *c);
/* timeline_message() - starts the timelines whose pattern msg matches. */
void timeline_message(struct line_msg *msg);
/* timeline_conn_gone() - stops the instances that c started. */
void timeline_conn_gone(struct conn *c);

#endif
