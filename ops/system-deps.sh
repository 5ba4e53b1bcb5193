#!/usr/bin/env bash
# The Debian packages some targets need: chromium (the browser tests), pgbouncer (the
# scale-out battery, `make scaleout`), wrk (`make bench`). Quiet when they are all there.
#
#   ops/system-deps.sh [--or-skip] PACKAGE...
#
# A missing one is installed with apt-get when this runs as root on a machine with apt (CI,
# a container); otherwise the message says how to install it and this fails. With --or-skip
# (what `make test` passes) a missing one is only a warning outside CI: its tests skip and
# say how to install it; in CI (`CI` set) it still fails.
set -euo pipefail

or_skip=false
if [[ "${1:-}" == "--or-skip" ]]; then or_skip=true; shift; fi

present() {
    case "$1" in
        chromium) [[ -x "${AGORA_CHROMIUM:-/usr/bin/chromium}" ]] ;;
        pgbouncer) command -v pgbouncer >/dev/null || [[ -x /usr/sbin/pgbouncer ]] ;;
        *) command -v "$1" >/dev/null ;;
    esac
}

what_for() {
    case "$1" in
        chromium) echo "needed by the browser tests in tests/browser" ;;
        pgbouncer) echo "needed by the scale-out battery in tests/scaleout and by make scaleout" ;;
        wrk) echo "needed by make bench" ;;
        *) echo "needed" ;;
    esac
}

missing=()
for package in "$@"; do
    present "$package" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

for package in "${missing[@]}"; do
    echo "system-deps: $package is missing ($(what_for "$package"))."
done
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "system-deps: apt-get install -y ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # an image may come without package lists: fetch them only when the install needs them
    apt-get install -y --no-install-recommends "${missing[@]}" \
        || { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
    exit 0
fi

how="sudo apt-get install -y ${missing[*]}  (or run \`make system-deps\` as root)"
if [[ $or_skip == true && -z "${CI:-}" ]]; then
    echo "system-deps: the tests that need them are skipped. To run them: $how"
    exit 0
fi
echo "system-deps: cannot install them (not root, or no apt-get). Install them with: $how" >&2
exit 1
