#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `deploy/install-pi --dry-run` prints the whole installation and changes nothing: every
# command that could change the system is replaced on PATH by a stub that records its call,
# and the test fails if any stub ran or anything appeared on disk. Once as root, once as a
# user (then every system step must go through sudo); from a folder of .deb files and from an
# apt repository. Usage: run_install_dry.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: run_install_dry.sh SOURCE_DIR}
tmp=$(mktemp -d /tmp/zp_install_dry.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
marker="$tmp/called"
arch=$(dpkg --print-architecture)
for c in sudo apt-get apt dpkg systemctl useradd usermod groupadd gpasswd install cmake make \
	 chown chmod chgrp cp mv mkdir ln tee rm systemd-analyze; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 97\n' "$c" "$marker" >"$tmp/bin/$c"
	chmod +x "$tmp/bin/$c"
done
# dpkg may say the architecture (read only); anything else is recorded
printf '#!/bin/sh\n[ "$*" = "--print-architecture" ] && { echo %s; exit 0; }\necho "dpkg $*" >>"%s"\nexit 97\n' \
	"$arch" "$marker" >"$tmp/bin/dpkg"
# `id -u` says 1000 in the user run; everything else is the real id
mkdir -p "$tmp/user"
cat >"$tmp/user/id" <<EOS
#!/bin/sh
if [ "\$1" = "-u" ]; then echo 1000; else exec /usr/bin/id "\$@"; fi
EOS
chmod +x "$tmp/user/id"
# what `make deb` leaves in a folder: two versions, the newer must be taken; another arch ignored
mkdir -p "$tmp/dist"
for v in 0.1.0 0.10.0; do
	: >"$tmp/dist/zebrapad_${v}_$arch.deb"
	: >"$tmp/dist/zebrapad-tools_${v}_$arch.deb"
done
: >"$tmp/dist/zebrapad_0.11.0_otherarch.deb"

before_etc=$([ -e /etc/zebrapad ] && echo yes || echo no)
before_list=$([ -e /etc/apt/sources.list.d/zebrapad.list ] && echo yes || echo no)
fail=0
check() { # what, output file
	if ! grep -qF -- "$1" "$2"; then
		echo "FAIL: dry-run output lacks: $1"
		cat "$2"
		fail=1
	fi
}

for mode in root user; do
	out="$tmp/out.$mode"
	path="$tmp/bin:$PATH"
	[ "$mode" = user ] && path="$tmp/user:$path"
	pre=""
	if [ "$mode" = user ] || [ "$(id -u)" -ne 0 ]; then pre="sudo "; fi

	if ! PATH="$path" "$src/deploy/install-pi" --dry-run --from "$tmp/dist" --tools >"$out" 2>&1; then
		echo "FAIL: install-pi --dry-run --from ($mode) exited non-zero:"; cat "$out"; exit 1
	fi
	check "dry run: nothing is changed" "$out"
	check "+ ${pre}apt-get install -y -q $tmp/dist/zebrapad_0.10.0_$arch.deb $tmp/dist/zebrapad-tools_0.10.0_$arch.deb" "$out"
	if grep -Eq '^[[:space:]]*line[[:space:]]*=[[:space:]]*[0-9]' /etc/zebrapad/zebrapad.ini 2>/dev/null; then
		check "+ ${pre}systemctl enable zebrapad.service" "$out"
	else
		check "zebrapad.service not enabled yet: /etc/zebrapad/zebrapad.ini names no light line" "$out"
		check "sudo systemctl enable --now zebrapad" "$out"
		grep -q "systemctl enable zebrapad" "$out" && { echo "FAIL: enabled without a light line"; fail=1; }
	fi
	# the closing hints are commands that work (calibrate needs --source and --out)
	check "zebrapad calibrate --config /etc/zebrapad/zebrapad.ini --source /dev/video0 --out /tmp/preview.png" "$out"
	check "zebrapad run --config /etc/zebrapad/zebrapad.ini --source OUT.y4m --fast" "$out"

	out="$tmp/repo.$mode"
	if ! PATH="$path" "$src/deploy/install-pi" --dry-run --repo 'https://apt.example.org/zebrapad bookworm main' \
		>"$out" 2>&1; then
		echo "FAIL: install-pi --dry-run --repo ($mode) exited non-zero:"; cat "$out"; exit 1
	fi
	check "+ ${pre}echo deb https://apt.example.org/zebrapad bookworm main > /etc/apt/sources.list.d/zebrapad.list" "$out"
	check "+ ${pre}apt-get update -q" "$out"
	check "+ ${pre}apt-get install -y -q zebrapad" "$out"
	grep -q "zebrapad-tools" "$out" && { echo "FAIL: tools without --tools"; fail=1; }
	# in user mode every system step has sudo in front; as root none has
	if [ -n "$pre" ] && grep -E '^\+ (install|systemctl|apt-get|echo) ' "$tmp/out.$mode" "$out"; then
		echo "FAIL: system steps without sudo as a user"; fail=1
	fi
done

# no packages in the folder: one line, exit 2
mkdir -p "$tmp/empty"
if PATH="$tmp/bin:$PATH" "$src/deploy/install-pi" --dry-run --from "$tmp/empty" >"$tmp/out.empty" 2>&1; then
	echo "FAIL: an empty folder was accepted"; fail=1
fi
check "no zebrapad_*_$arch.deb in $tmp/empty" "$tmp/out.empty"

if [ -e "$marker" ]; then
	echo "FAIL: the dry run ran commands that change the system:"; cat "$marker"; fail=1
fi
[ "$before_etc" = no ] && [ -e /etc/zebrapad ] && { echo "FAIL: /etc/zebrapad was created"; fail=1; }
[ "$before_list" = no ] && [ -e /etc/apt/sources.list.d/zebrapad.list ] && { echo "FAIL: the apt list was written"; fail=1; }

# an unknown option is an error, and --help works
if "$src/deploy/install-pi" --bogus >/dev/null 2>&1; then echo "FAIL: --bogus accepted"; fail=1; fi
"$src/deploy/install-pi" --help | grep -q -- "--dry-run" || { echo "FAIL: --help"; fail=1; }

[ "$fail" -eq 0 ] && echo "install-pi --dry-run: ok (root and user, folder and repository, nothing touched)"
exit "$fail"
