#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The real `zebrapad run` binary (with the real libv4l2/libgpiod linked, no hardware used):
# options and exit codes, a dry run on vtest.avi with the sandbox on and counts written,
# SIGTERM while a recording is paced, and a bad config.
# The daemon reads no video: vtest.avi's first 150 frames are made a .y4m by Y4M_FROM (a test
# helper built with the tools; "none" in a daemon-only build, which skips the recording runs).
# Usage: run_binary.sh ZEBRAPAD VTEST SOURCE_DIR Y4M_FROM   (exit 77: skipped, vtest.avi missing)
set -uo pipefail
zp=${1:?usage: run_binary.sh ZEBRAPAD VTEST SOURCE_DIR}
vtest=${2:?}
src=${3:?}
y4m_from=${4:?}
tmp=$(mktemp -d /tmp/zp_run_binary.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # code what command...
	local want=$1 what=$2 got
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/err"; fail=1
	fi
}
has() { # file text
	grep -qF -- "$2" "$1" || { echo "FAIL: $1 lacks: $2"; cat "$1"; fail=1; }
}

expect 2 "no --config" "$zp" run
has "$tmp/err" "--config FILE is required"
expect 0 "--help" "$zp" run --help
has "$tmp/out" "--max-frames N"
expect 2 "--fast without --source" "$zp" run --config x.ini --fast
expect 2 "missing config" "$zp" run --config "$tmp/none.ini"
has "$tmp/err" "none.ini"

# a config error: exit 2, one line naming file:line
printf '[lights]\nstall_ms = 5\n' >"$tmp/bad.ini"
expect 2 "bad config" "$zp" run --config "$tmp/bad.ini"
has "$tmp/err" "bad.ini:2:"
[ "$(grep -c . "$tmp/err")" -eq 1 ] || { echo "FAIL: more than one line for a bad config"; cat "$tmp/err"; fail=1; }

# a FIFO where the config is expected: refused at once, not waited on
mkfifo "$tmp/fifo.ini"
expect 2 "a FIFO as --config" timeout 10 "$zp" run --config "$tmp/fifo.ini"
has "$tmp/err" "expected a regular file"
# `audit --live` on a device that is not a camera stops at once (it used to retry for ever)
printf '[camera]\ndevice = /dev/video0\n[zone z]\nrole = crossing\npolygon = 0,0 10,0 10,10 0,10\n' >"$tmp/live.ini"
expect 2 "audit --live --source /dev/null" timeout 10 "$zp" audit --live --config "$tmp/live.ini" --source /dev/null
has "$tmp/err" "not a V4L2 camera"

if [ ! -e "$vtest" ] || [ "$y4m_from" = none ]; then
	echo "SKIP: $vtest not present (opencv-doc) or no y4m_from (daemon-only build): the recording runs are skipped"
	[ "$fail" -eq 0 ] && exit 77
	exit 1
fi

# the daemon names what it reads when given a video
expect 2 "a video to the daemon" "$zp" run --config "$src/examples/vtest.ini" --source "$vtest" --fast
has "$tmp/err" "the daemon reads only a .y4m file or a folder of numbered .pgm images"
"$y4m_from" "$vtest" "$tmp/vtest.y4m" 150 || { echo "FAIL: y4m_from"; exit 1; }
vtest=$tmp/vtest.y4m

mkdir -p "$tmp/data"
cp "$src/examples/vtest.ini" "$tmp/site.ini"
printf '\n[store]\npath = %s/data/counts.db\ninterval_s = 5\n' "$tmp" >>"$tmp/site.ini"

# a dry run writes no counts unless --write-store: the store is not even created
expect 0 "dry run on vtest, no store" "$zp" run --config "$tmp/site.ini" --source "$vtest" --fast --max-frames 30
has "$tmp/err" "no counts are written to $tmp/data/counts.db"
[ ! -e "$tmp/data/counts.db" ] || { echo "FAIL: a dry run created counts.db"; fail=1; }

# ... also with a health file in a folder of its own: the sandbox's rule is on that folder
mkdir -p "$tmp/health"
cp "$tmp/site.ini" "$tmp/site-health.ini"
printf '\n[health]\nprom_file = %s/health/zebrapad.prom\nperiod_s = 1\n' "$tmp" >>"$tmp/site-health.ini"
expect 0 "dry run on vtest with a health file" "$zp" run --config "$tmp/site-health.ini" --source "$vtest" --fast \
	--max-frames 30
has "$tmp/health/zebrapad.prom" "zebrapad_frames_total"

# with --write-store: the sandbox applied, counts written beneath the data directory, a summary
expect 0 "dry run on vtest" "$zp" run --config "$tmp/site.ini" --source "$vtest" --fast --max-frames 120 --stats \
	--write-store
has "$tmp/err" "sandbox: core dumps: off"
has "$tmp/err" "the light line is simulated"
has "$tmp/err" "stopped (max-frames)"
has "$tmp/err" "120 frames"
has "$tmp/err" "latency frame -> light line set, 768x576, 120 frames"
[ -s "$tmp/data/counts.db" ] || { echo "FAIL: no counts.db"; fail=1; }
# nothing but the store beneath the data directory
extra=$(find "$tmp/data" -type f ! -name 'counts.db*' | head -5)
[ -z "$extra" ] || { echo "FAIL: unexpected files: $extra"; fail=1; }

# SIGTERM while paced (10 fps): exit 0 within a second, the shutdown line, the summary
"$zp" run --config "$tmp/site.ini" --source "$vtest" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1.5
kill -TERM "$pid"
t0=$(date +%s%N)
wait "$pid"
rc=$?
t1=$(date +%s%N)
[ "$rc" -eq 0 ] || { echo "FAIL: SIGTERM: exit $rc"; cat "$tmp/err"; fail=1; }
[ $(( (t1 - t0) / 1000000 )) -lt 1000 ] || { echo "FAIL: SIGTERM took $(( (t1 - t0) / 1000000 )) ms"; fail=1; }
has "$tmp/err" "SIGTERM: stopping"
has "$tmp/err" "stopped (SIGTERM)"
has "$tmp/err" "light line left at 1"

# replay's outputs on a full disk (/dev/full): exit 1 naming the file, never a silently cut file
for o in --zones-out --tracks-out --lights-out; do
	expect 1 "replay $o on a full disk" "$zp" replay "$vtest" --config "$src/examples/vtest.ini" --max-frames 150 \
		"$o" /dev/full
	has "$tmp/err" "/dev/full: write failed"
done
# the overlay video: OpenCV reports no write error, so replay reads the file back. A full disk is
# simulated with a file size limit (ulimit -f, in KiB; SIGXFSZ ignored so the write fails with EFBIG,
# as it would with ENOSPC): the 150 frames need a few MB
for ext in avi mp4; do
	( trap '' XFSZ; ulimit -f 256; exec "$zp" replay "$vtest" --config "$src/examples/vtest.ini" --max-frames 150 \
		-q --overlay-out "$tmp/overlay.$ext" ) >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || { echo "FAIL: replay --overlay-out .$ext on a full disk: exit $rc, expected 1"; cat "$tmp/err"; fail=1; }
	has "$tmp/err" "$tmp/overlay.$ext: write failed: the video"
	has "$tmp/err" "the file is incomplete"
	# the same without the limit: exit 0, nothing said
	expect 0 "replay --overlay-out .$ext" "$zp" replay "$vtest" --config "$src/examples/vtest.ini" --max-frames 150 \
		-q --overlay-out "$tmp/overlay.$ext"
	! grep -q "overlay" "$tmp/err" || { echo "FAIL: replay --overlay-out .$ext: a message"; cat "$tmp/err"; fail=1; }
	rm -f "$tmp/overlay.$ext"
done
# a FIFO as the overlay is refused at once, not waited on
mkfifo "$tmp/overlay.avi"
expect 2 "replay --overlay-out FIFO" timeout 10 "$zp" replay "$vtest" --config "$src/examples/vtest.ini" --max-frames 5 \
	-q --overlay-out "$tmp/overlay.avi"
has "$tmp/err" "overlay.avi: expected a regular file for the video, got a FIFO"
rm -f "$tmp/overlay.avi"
"$zp" replay "$vtest" --config "$src/examples/vtest.ini" --max-frames 20 >/dev/full 2>"$tmp/err"
[ $? -eq 1 ] || { echo "FAIL: replay with stdout on a full disk: not exit 1"; fail=1; }
has "$tmp/err" "standard output: write failed"

[ "$fail" -eq 0 ] && echo "zebrapad run (binary): ok"
exit "$fail"
