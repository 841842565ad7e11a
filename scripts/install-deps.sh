#!/usr/bin/env bash
# Installs what building, running and testing Agent TLS Verdict needs on
# Debian 12.  Needs root (or sudo).  Fails loudly if anything is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config python3       # build and test tooling
  wireshark-dev libglib2.0-dev tshark             # libwireshark 4.0 headers, tshark, editcap
  clang libclang-rt-14-dev libfuzzer-14-dev       # sanitizer and fuzzing builds
  valgrind time                                   # memory checks, peak-memory figures
)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  # tshark's package asks whether non-root users may capture; answer for it.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for tool in cmake cc tshark editcap python3 clang valgrind; do
  command -v "$tool" >/dev/null || { echo "install-deps: $tool still missing" >&2; exit 1; }
done
echo "install-deps: all dependencies present"
