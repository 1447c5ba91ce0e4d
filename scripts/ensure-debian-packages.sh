#!/usr/bin/env bash
# `make test` needs Debian's chromium (the HTML report test opens a page), strace (proves refused
# runs send nothing), prometheus (promtool checks the exported alert rules), postgresql and
# redis-server (DB=postgres and CACHE=redis runs, and the store's tests against a real PostgreSQL), sqlite3
# (the distributed test reads the service's database for duplicate ids), time (make bench reads a
# child's exact CPU time and peak RSS from GNU time), wrk (make bench's ceiling reference) and
# etcd-server (the store of the real Kubernetes API server the operator test applies manifests to). Installing only what
# is missing keeps the common case free of apt; failing here saves a fresh clone minutes of tests.
#
# Test hook: LOADGATE_CHROMIUM points the chromium check at another path, so a missing package can
# be simulated on a machine that has it.
set -euo pipefail

# With arguments, only those packages: the CLI installs postgresql or redis-server this way when a run
# asks for DB=postgres or CACHE=redis.
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(chromium strace prometheus postgresql redis-server sqlite3 time wrk etcd-server)
installed() {
  case "$1" in
    chromium) [ -x "${LOADGATE_CHROMIUM:-/usr/bin/chromium}" ] ;;
    prometheus) command -v promtool >/dev/null ;;
    # `time` is also a bash keyword, so look for the program itself.
    time) [ -x /usr/bin/time ] ;;
    etcd-server) command -v etcd >/dev/null ;;
    # Debian keeps the server binaries off PATH, under /usr/lib/postgresql/<version>/bin.
    postgresql) compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/lib/pg_stat_statements.so' >/dev/null ;;
    *) command -v "$1" >/dev/null ;;
  esac
}
missing=()
for package in "${wanted[@]}"; do installed "$package" || missing+=("$package"); done

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo=(sudo); fi
  install="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "loadgate needs the Debian package(s) ${missing[*]} and this machine has no apt-get; on Debian run as root: $install" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ] && [ "${#sudo[@]}" -eq 0 ]; then
    echo "loadgate needs the Debian package(s) ${missing[*]}, which only root can install (no sudo here); as root run: $install" >&2
    exit 1
  fi
  echo "installing missing Debian packages: ${missing[*]}"
  # prometheus', postgresql's and redis-server's postinst would start daemons (:9090, :5432, :6379)
  # and leave them running; a policy-rc.d that refuses service starts (the Docker convention) keeps
  # the install from starting or waiting on them.
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

if [[ " ${wanted[*]} " == *" strace "* ]] && ! strace -f -o /dev/null true 2>/dev/null; then
  echo "strace cannot trace here (ptrace is blocked, e.g. by a container's seccomp profile or kernel.yama.ptrace_scope); the no-packet tests need it, so allow ptrace (docker: --cap-add=SYS_PTRACE) and rerun make test." >&2
  exit 1
fi
