#!/usr/bin/env bash
# `make test` needs Debian's chromium (the HTML report test opens a page), strace (proves refused
# runs send nothing) and prometheus (promtool checks the exported alert rules). Installing only what
# is missing keeps the common case free of apt; failing here saves a fresh clone minutes of tests.
#
# Test hook: LOADGATE_CHROMIUM points the chromium check at another path, so a missing package can
# be simulated on a machine that has it.
set -euo pipefail

missing=()
[ -x "${LOADGATE_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v strace >/dev/null || missing+=(strace)
command -v promtool >/dev/null || missing+=(prometheus)

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo=(sudo); fi
  install="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "make test needs the Debian package(s) ${missing[*]} and this machine has no apt-get; on Debian run as root: $install" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ] && [ "${#sudo[@]}" -eq 0 ]; then
    echo "make test needs the Debian package(s) ${missing[*]}, which only root can install (no sudo here); as root run: $install" >&2
    exit 1
  fi
  echo "installing missing Debian packages for make test: ${missing[*]}"
  # prometheus' postinst would start a daemon on :9090 and leave it running; a policy-rc.d that
  # refuses service starts (the Docker convention) keeps the install from starting or waiting on it.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod +x "$policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
  fi
  # sudo drops the environment, so DEBIAN_FRONTEND goes through env; stdin is closed so no prompt can wait.
  apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Options::=--force-confold)
  if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; } </dev/null; then
    echo "installing ${missing[*]} failed (see apt's output above); fix that, or run as root: $install" >&2
    exit 1
  fi
fi

if ! strace -f -o /dev/null true 2>/dev/null; then
  echo "strace cannot trace here (ptrace is blocked, e.g. by a container's seccomp profile or kernel.yama.ptrace_scope); the no-packet tests need it, so allow ptrace (docker: --cap-add=SYS_PTRACE) and rerun make test." >&2
  exit 1
fi
