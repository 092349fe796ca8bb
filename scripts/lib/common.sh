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
