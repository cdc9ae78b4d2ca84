/*
 * daemon.h: `patchletter run`: the one process, one thread, one poll()
 * loop (DESIGN.md, "Processes and failures") that ties the parts
 * together:
 *
 *  - the IMAP sources (imap.h) hand their mail, batch by batch, to the
 *    ingest path, each batch committed with its mailbox's cursor;
 *  - the archive sources, on their fetch timer, bring their mirror up to
 *    date (archive_fetch(), in a child process: libgit2 has no network
 *    timeout and must not hang the loop) and then ingest what is new
 *    (backfill.h);
 *  - the digest timer matches the series that changed against the
 *    subscribers' rules and queues the digests their schedules make due
 *    (digest_job.h), a second after new mail and every minute;
 *  - the outbox timer sends what is due (outbox.h), with its retries;
 *  - SIGTERM stops the loop once the callback in flight has returned (a
 *    batch being stored is committed first) and the daemon exits 0;
 *    SIGHUP reloads the configuration's subscriber-side parts (the
 *    templates, MAINTAINERS, the rules in force).
 *
 * Readiness (sd_notify READY=1) is reported once the store is open, the
 * sources are started and the first IMAP mailbox is open (at once when
 * there is no IMAP source).
 */
#ifndef PATCHLETTER_DAEMON_H
#define PATCHLETTER_DAEMON_H

#include "compat.h"

struct cli_globals;

/*
 * Run the daemon with the configuration of g until a stopping signal.
 * Returns a sysexits.h code: 0 after SIGTERM/SIGINT; EX_CONFIG,
 * EX_NOINPUT, EX_TEMPFAIL, EX_SOFTWARE when it cannot start.
 */
int daemon_run(const struct cli_globals *g) WARN_UNUSED;

#endif
