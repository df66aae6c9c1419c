/* SPDX-License-Identifier: MIT */
/*
 * app_runlog.h - `zebrapad run`'s log hand-off: the daemon's messages never
 * make the frame -> light loop wait.
 *
 * Every message of the process (zp_log, SQLite's, FFmpeg's, libv4l2's) is
 * written to file descriptor 2. zp_runlog_begin() points descriptor 2 at a
 * pipe whose write end is non-blocking (1 MiB where the system allows it);
 * a drain thread copies the pipe to the real stderr (a terminal, a file, or
 * journald's stream under systemd) and is the only one that can block when
 * nobody reads it. When the pipe is full a line is dropped, not waited for:
 * the write fails with EAGAIN, stdio marks stderr with an error, and
 * zp_runlog_take_dropped() counts those (the daemon reports them, once a
 * minute at most, and in its exit summary).
 *
 * The drain also tags and rate-limits what libraries write to stderr
 * themselves (FFmpeg, libv4l2): a line that is not zebrapad's own
 * ("<N>zebrapad: ...") goes out as "<4>zebrapad: lib: LINE", at most 20 a
 * minute; the number of the others is said when the minute is over. A
 * corrupt recording cannot flood the journal. Every command that opens a
 * recording or a store goes through it (zp_runlog_tool below), not only
 * the daemon.
 */
#ifndef ZP_APP_RUNLOG_H
#define ZP_APP_RUNLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zp_runlog zp_runlog;

/*
 * Redirect descriptor 2 into the hand-off (no thread yet); pipe_bytes: its
 * size (0: 1 MiB; the kernel rounds up to pages and may refuse more than
 * /proc/sys/fs/pipe-max-size). 0, or -1 with a message in err.
 */
int zp_runlog_begin(zp_runlog **out, size_t pipe_bytes, char *err, size_t errlen);

/* Start the drain thread (after the sandbox: the thread inherits it). 0 or -1. */
int zp_runlog_start(zp_runlog *l);

/*
 * Wait (up to wait_ms) until every message written so far has been copied
 * to the real stderr: a tool calls it before it prints its results to
 * stdout, so that a warning, or the progress bar being wiped, does not land
 * after them on a terminal. NULL: only fflush(stderr).
 */
void zp_runlog_sync(zp_runlog *l, int wait_ms);

/* Its descriptors (to keep open through the sandbox); returns how many were put in fds (at most 3). */
int zp_runlog_fds(const zp_runlog *l, int fds[3]);

/* Messages dropped since the last call (a full hand-off); clears stderr's error flag. */
uint64_t zp_runlog_take_dropped(zp_runlog *l);

/*
 * The tools' hand-off (replay, eval, tune, bench, calibrate, audit): begin
 * and start in one call, with a pipe whose write end blocks (a tool may wait
 * for its reader; its own messages are never dropped). Library lines are
 * tagged and rate-limited as above. NULL when it could not be put in place:
 * messages then go straight to stderr. *stderr_tty: whether stderr was a
 * terminal before it was redirected (a progress bar asks this, not isatty(2)).
 * End it with zp_runlog_end(l, 1000).
 */
zp_runlog *zp_runlog_tool(bool *stderr_tty);

/*
 * Put descriptor 2 back, let the drain thread copy what is left for up to
 * wait_ms (started now if it never was), then stop it (a stderr nobody
 * reads loses the rest) and free l. NULL is a no-op.
 */
void zp_runlog_end(zp_runlog *l, int wait_ms);

/*
 * A tool command (replay aside) around its body: library messages (FFmpeg
 * about a corrupt recording, ...) tagged and rate-limited, as in every
 * command. The body puts the hand-off in place (zp_runlog_tool, or
 * zp_runlog_begin) once its options are read, so that the usage text is not
 * taken for a library's line, and stores it in *log; zp_runlog_command()
 * ends it (zp_runlog_end(log, 1000)) once the body returns, and returns
 * the body's exit code.
 */
struct zp_cmd_env;
typedef int zp_runlog_body(int argc, char **argv, const struct zp_cmd_env *env, zp_runlog **log);
int zp_runlog_command(zp_runlog_body *body, int argc, char **argv, const struct zp_cmd_env *env);

#endif
