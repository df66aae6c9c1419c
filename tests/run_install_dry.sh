#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `deploy/install-pi --dry-run` prints the whole installation and changes nothing: every
# command that could change the system is replaced on PATH by a stub that records its call,
# and the test fails if any stub ran or anything appeared on disk. Once as root, once as a
# user (then every system step must go through sudo). Usage: run_install_dry.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: run_install_dry.sh SOURCE_DIR}
tmp=$(mktemp -d /tmp/zp_install_dry.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
marker="$tmp/called"
for c in sudo apt-get apt dpkg systemctl useradd usermod groupadd gpasswd install cmake make \
	 chown chmod chgrp cp mv mkdir ln tee rm systemd-analyze; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 97\n' "$c" "$marker" >"$tmp/bin/$c"
	chmod +x "$tmp/bin/$c"
done
# `id -u` says 1000 in the second run; everything else is the real id
mkdir -p "$tmp/user"
cat >"$tmp/user/id" <<EOS
#!/bin/sh
if [ "\$1" = "-u" ]; then echo 1000; else exec /usr/bin/id "\$@"; fi
EOS
chmod +x "$tmp/user/id"

before_build=$([ -e "$src/build-pi" ] && echo yes || echo no)
before_etc=$([ -e /etc/zebrapad ] && echo yes || echo no)
before_unit=$([ -e /etc/systemd/system/zebrapad.service ] && echo yes || echo no)
fail=0
check() { # what, output file
	if ! grep -qF -- "$1" "$2"; then
		echo "FAIL: dry-run output lacks: $1"
		fail=1
	fi
}

for mode in root user; do
	out="$tmp/out.$mode"
	path="$tmp/bin:$PATH"
	[ "$mode" = user ] && path="$tmp/user:$path"
	if ! PATH="$path" "$src/deploy/install-pi" --dry-run >"$out" 2>&1; then
		echo "FAIL: install-pi --dry-run ($mode) exited non-zero:"; cat "$out"; exit 1
	fi
	pre=""
	if [ "$mode" = user ] || [ "$(id -u)" -ne 0 ]; then pre="sudo "; fi
	check "dry run: nothing is changed" "$out"
	check "+ $src/scripts/install-deps" "$out"
	check "+ cmake -S $src -B $src/build-pi -DCMAKE_BUILD_TYPE=Release" "$out"
	check "+ cmake --build $src/build-pi --target zebrapad" "$out"
	check "+ ${pre}install -D -m 0755 $src/build-pi/app/zebrapad /usr/local/bin/zebrapad" "$out"
	check "+ ${pre}install -d -m 0750 -o zebrapad -g zebrapad /var/lib/zebrapad" "$out"
	check "+ ${pre}install -m 0644 $src/deploy/zebrapad.service /etc/systemd/system/zebrapad.service" "$out"
	check "+ ${pre}systemctl enable zebrapad.service" "$out"
	check "+ ${pre}systemctl try-restart zebrapad.service" "$out"
	if getent passwd zebrapad >/dev/null; then
		grep -qE "usermod|user zebrapad exists" "$out" || { echo "FAIL: no user step"; fail=1; }
	else
		check "+ ${pre}useradd --system --user-group" "$out"
	fi
	if [ ! -e /etc/zebrapad/zebrapad.ini ]; then
		check "+ ${pre}install -m 0640 -o root -g zebrapad $src/deploy/zebrapad.ini.example /etc/zebrapad/zebrapad.ini" "$out"
	fi
	# in user mode every system step has sudo in front; as root none has
	if [ -n "$pre" ] && grep -E '^\+ (install|systemctl|useradd|usermod|groupadd|apt-get) ' "$out"; then
		echo "FAIL: system steps without sudo as a user"; fail=1
	fi
done

if [ -e "$marker" ]; then
	echo "FAIL: the dry run ran commands that change the system:"; cat "$marker"; fail=1
fi
[ "$before_build" = no ] && [ -e "$src/build-pi" ] && { echo "FAIL: $src/build-pi was created"; fail=1; }
[ "$before_etc" = no ] && [ -e /etc/zebrapad ] && { echo "FAIL: /etc/zebrapad was created"; fail=1; }
[ "$before_unit" = no ] && [ -e /etc/systemd/system/zebrapad.service ] && { echo "FAIL: the unit was installed"; fail=1; }

# an unknown option is an error, and --help works
if "$src/deploy/install-pi" --bogus >/dev/null 2>&1; then echo "FAIL: --bogus accepted"; fail=1; fi
"$src/deploy/install-pi" --help | grep -q -- "--dry-run" || { echo "FAIL: --help"; fail=1; }

[ "$fail" -eq 0 ] && echo "install-pi --dry-run: ok (root and user, nothing touched)"
exit "$fail"
