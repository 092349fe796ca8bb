# shellcheck shell=bash
# Shared helpers for the scripts in scripts/. Sourced, never run.
# Everything here is quiet on success: output appears only when work is done or something fails.

# The repository root, whatever directory the caller was started from.
# shellcheck disable=SC2034 # used by the scripts that source this file
ECSBOX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "$*"; exit 1; }

# Packages that count as present when their command is, whoever installed it: machines may carry
# NodeSource's nodejs, which bundles npm and conflicts with Debian's npm package.
declare -A APT_PACKAGE_COMMAND=([nodejs]=node [npm]=npm)

# Prints the packages among "$@" that are not installed. `dpkg-query -W` alone is not enough:
# it succeeds for packages that were removed but whose record is still known.
missing_apt_packages() {
  local pkg cmd
  for pkg in "$@"; do
    cmd="${APT_PACKAGE_COMMAND[$pkg]:-}"
    if [[ -n "$cmd" ]] && command -v "$cmd" >/dev/null; then
      continue
    fi
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

# Runs a command with its output held back; shows the output only if the command fails,
# so a clean run stays silent while a failure still explains itself.
run_quiet() {
  local out status=0
  out="$(mktemp)"
  "$@" >"$out" 2>&1 </dev/null || status=$?
  if ((status != 0)); then
    log "failed ($status): $*"
    cat "$out" >&2
  fi
  rm -f "$out"
  return "$status"
}

# Installs whichever of "$@" are missing; does nothing (and prints nothing) when all are present.
ensure_apt_packages() {
  local missing
  mapfile -t missing < <(missing_apt_packages "$@")
  ((${#missing[@]} == 0)) && return 0
  ((EUID == 0)) || die "missing packages (${missing[*]}); run as root to install them"
  log "installing ${missing[*]}"
  # The lock timeout waits out a concurrent apt run instead of failing on it at once.
  local -x DEBIAN_FRONTEND=noninteractive
  local -a apt=(apt-get -q -y -o DPkg::Lock::Timeout=120)
  run_quiet "${apt[@]}" update
  run_quiet "${apt[@]}" install --no-install-recommends "${missing[@]}"
}

# True when the Docker engine answers: $DOCKER_HOST's through the CLI, else the default socket.
docker_answers() {
  if [[ -z "${DOCKER_HOST:-}" ]] && command -v curl >/dev/null; then
    curl -sf --max-time 5 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1
  else
    command -v docker >/dev/null && docker version >/dev/null 2>&1
  fi
}

# Makes sure a Docker engine answers: installs docker.io when dockerd is missing and starts
# dockerd (in its own session, so it outlives the caller) when nothing answers, then waits up to
# 30 s for it. Silent when the engine answers already.
ensure_docker() {
  docker_answers && return 0
  command -v dockerd >/dev/null || ensure_apt_packages docker.io
  ensure_apt_packages curl
  docker_answers && return 0 # the package may have started its service
  [[ -z "${DOCKER_HOST:-}" ]] || die "the Docker engine at DOCKER_HOST=$DOCKER_HOST does not answer"
  ((EUID == 0)) || die "the Docker engine does not answer; run as root to start dockerd"
  local log_file=/var/log/ecsbox-dockerd.log pid_file=/var/run/docker.pid
  # A dockerd that is still starting answers soon: starting a second one would only fail.
  if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    log "waiting for the running dockerd to answer"
  else
    log "starting dockerd (log: $log_file)"
    # dockerd outlives this script: it must not inherit a TMPDIR that the caller (scripts/test
    # points it into a run directory) deletes, or every later `docker exec` and health check fails.
    (cd / && env -u TMPDIR setsid nohup dockerd >>"$log_file" 2>&1 </dev/null &)
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    docker_answers && return 0
    sleep 0.5
  done
  log "dockerd does not answer after 30 s; the end of $log_file:"
  tail -n 20 "$log_file" >&2 2>/dev/null || true
  return 1
}
