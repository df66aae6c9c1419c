/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.h - `zebrapad run`: the daemon at the crossing.
 *
 * camera (V4L2) or a recording -> detector -> light controller -> light line
 * + heartbeat line (GPIO) -> counts store, under systemd (notify, watchdog),
 * until SIGTERM/SIGINT. docs/run.md describes the behaviour for users.
 *
 * The loop is a function with its outside world passed in (zp_run_env): the
 * clocks, a hook called on every iteration, and a few timings, so the Check
 * suite (tests/test_run.c) runs the real loop, with the real capture and GPIO
 * code linked against the fake libv4l2 and libgpiod, in its own process.
 * Production passes zp_run_env_default(): zp_now_ms() and the wall clock.
 *
 * The run path never writes an image: nothing here or in cmd_run.c calls the
 * OpenCV wrapper's image or video writers (see docs/run.md, "Privacy").
 */
#ifndef ZP_CMD_RUN_H
#define ZP_CMD_RUN_H

#include "capture.h"
#include "lights.h"
#include "models.h"
#include "zp_common.h"

#include <stdbool.h>
#include <stdint.h>

/* The command line (cmd_run.c parses it). */
typedef struct zp_run_opts {
	const char *config;     /* --config FILE, required */
	const char *source;     /* --source PATH: a recording instead of the camera; NULL: the camera */
	bool fast;              /* --fast: a recording as fast as it decodes (no pacing by frame times) */
	long max_frames;        /* --max-frames N: stop cleanly after N processed frames; -1: no limit */
	bool verbose;           /* --verbose: debug lines (light switches, reconnects, health) */
	bool stats;             /* --stats: latency figures in the exit summary */
	bool service;           /* started by systemd (INVOCATION_ID, read by main, not by zp_run_parse):
	                           a simulated light line needs [gpio] simulate = yes */
	bool write_store;       /* --write-store: a dry run (--source) writes its counts to [store] path */
	zp_simd simd;           /* the detector's kernel path (zp_run_parse: ZP_SIMD_AUTO; main: ZEBRAPAD_SIMD) */
	zp_v4l2_io io;          /* how the camera is reached (zp_run_parse: libv4l2; main: zp_v4l2_io_choose) */
	bool start_time_set;    /* --start-time T: a recording's first frame is at this wall-clock time */
	int64_t start_time_ms;  /* ... Unix ms (else the wall clock at start) */
} zp_run_opts;

/*
 * Parse `run` options (argv[0] = "run"). Returns 0 with *o filled, -1 after
 * printing the help (--help: exit 0), or ZP_EXIT_USAGE after a one-line message.
 */
int zp_run_parse(int argc, char **argv, zp_run_opts *o);

/* What a loop iteration did, for the hook. */
typedef enum zp_run_phase {
	ZP_RUN_STARTUP_RETRY = 0, /* a GPIO output line could not be requested yet; waiting before the next try */
	ZP_RUN_FRAME,             /* a frame was processed, the lines were set */
	ZP_RUN_NO_FRAME,          /* no frame this time (timeout, source fault, not due yet); controller ticked */
} zp_run_phase;

typedef struct zp_run_step {
	zp_run_phase phase;
	int64_t now_ms;           /* the loop's time (the monotonic clock; a --fast recording: its frame time) */
	uint64_t frames;          /* processed so far */
	int source_rc;            /* 0, or the zp_err of the source this iteration */
	zp_light_state state;     /* the controller's state after this iteration */
	unsigned faults;          /* ZP_FAULT_* active */
	int level;                /* the level the light line was set to (-1: not set) */
} zp_run_step;

/* Latency from "the source returned the frame" to "the light line is set", microseconds. */
typedef struct zp_run_latency {
	uint64_t n;
	double median_us;
	double p99_us;
	double max_us;
	double mean_us;
} zp_run_latency;

/* What a run did; filled when zp_run_env.summary is set. */
typedef struct zp_run_summary {
	int exit_code;
	char reason[64];           /* "SIGTERM", "max-frames", "end of recording", "light line lost", ... */
	uint64_t frames;           /* processed */
	uint64_t heartbeats;       /* heartbeat edges sent */
	uint64_t source_faults;    /* errors from the source (camera lost, stalled, refused, ...) */
	uint64_t stalls;           /* times the controller went fail-safe because frames stopped */
	int64_t no_frame_ms;       /* time in fail-safe because no frame came */
	int64_t unsynced_ms;       /* time whose counts were not kept: the wall clock was not synchronised yet */
	uint64_t activations;      /* the controller's counters at exit */
	int64_t on_ms;
	int64_t failsafe_ms;
	uint64_t failsafe_entries;
	uint64_t button_presses;   /* released -> pressed edges seen */
	int width, height;         /* frame size of the last frame */
	uint64_t loop_stalls;      /* iterations that ended more than stall_ms after the previous one */
	int64_t loop_stall_max_ms; /* the longest such gap */
	uint64_t log_dropped;      /* times log messages were dropped (stderr not read fast enough) */
	uint64_t notify_dropped;   /* systemd notifications the manager's queue did not take */
	uint64_t rows_written;     /* counts rows committed to the store */
	uint64_t rows_waiting;     /* rows still queued when the writer stopped (not written) */
	uint64_t rows_dropped;     /* rows refused by the full hand-off */
	uint64_t store_failures;   /* failed write attempts (retried) */
	uint64_t store_reopens;    /* the store file was removed or replaced and opened again */
	zp_run_latency latency;
} zp_run_summary;

/* The outside world of the loop. */
typedef struct zp_run_env {
	int64_t (*mono_ms)(void *ctx);  /* monotonic ms; the camera's frame times are in this base */
	int64_t (*wall_ms)(void *ctx);  /* Unix time ms, for the counts store */
	int (*clock_synced)(void *ctx); /* 1 when the wall clock is known (NTP), else 0 or < 0; NULL: the kernel's
	                                   word (zp_clock_synced, timesync.h) */
	int clock_check_ms;       /* until the clock is synchronised it is asked this often (1000) */
	void *clock_ctx;
	void (*hook)(void *ctx, const zp_run_step *step); /* after every iteration; may be NULL */
	void *hook_ctx;
	bool sandbox;             /* apply zp_sandbox_apply() (production: true) */
	int gpio_retry_ms;        /* start-up: a busy or missing output line is retried this often (2000) */
	int gpio_give_up_ms;      /* ... for this long, then exit 1 (10000) */
	int line_fail_exit_ms;    /* the light line cannot be set for this long: exit 1 (5000) */
	int store_retry_ms;       /* a store that failed to open or write is retried this often (1000) */
	size_t store_queue_rows;  /* the hand-off to the store's writer, rows (0: 4096) */
	size_t log_pipe_bytes;    /* the log hand-off's pipe (0: 1 MiB) */
	int keep_fds[4];          /* descriptors of the embedding kept open through the sandbox (a test's */
	int nkeep_fds;            /* instrumentation); production: none - every descriptor not needed is closed */
	zp_run_summary *summary;  /* filled on return when not NULL */
} zp_run_env;

/* Production: zp_now_ms(), CLOCK_REALTIME, no hook, the sandbox on, the timings above. */
void zp_run_env_default(zp_run_env *env);

/*
 * Run the daemon until a signal, --max-frames, the end of a recording, or a
 * failure. Returns the exit code: 0 clean stop, 1 runtime failure (a GPIO
 * output line that cannot be requested or set, the sandbox, no memory),
 * 2 bad input (config, recording). env NULL: zp_run_env_default().
 */
int zp_run_daemon(const zp_run_opts *o, const zp_run_env *env);

#endif
