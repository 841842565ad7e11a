#!/usr/bin/env bash
# `cmake --install` puts the plugin in the personal plugin folder
# (~/.local/lib/wireshark/plugins/<major>.<minor>/epan) and tshark run by
# that user loads it from there.  Installs under DESTDIR, never into the real
# home folder.
set -euo pipefail
build_dir=$1
scratch=$(mktemp -d /tmp/agenttls-install.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

DESTDIR=$scratch/root cmake --install "$build_dir" >/dev/null
release=$(tshark --version | sed -n 's/^TShark (Wireshark) \([0-9]*\)\.\([0-9]*\).*/\1.\2/p')
installed=$(find "$scratch/root" -path "*/.local/lib/wireshark/plugins/$release/epan/agenttls.so")
if [ -z "$installed" ]; then
  echo "FAIL: agenttls.so not installed under ~/.local/lib/wireshark/plugins/$release/epan"
  find "$scratch/root" -type f
  exit 1
fi

# Make the installed file the personal plugin folder of an unprivileged user.
home=$scratch/home
mkdir -p "$home/.local/lib/wireshark/plugins/$release/epan"
cp "$installed" "$home/.local/lib/wireshark/plugins/$release/epan/"
chmod -R a+rwX "$scratch"
run=(env HOME="$home" tshark -G plugins)
if [ "$(id -u)" = 0 ]; then run=(setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}"); fi
if "${run[@]}" | grep -q "^agenttls\.so.*$home"; then
  echo "install: personal plugin folder loaded by tshark, 1 passed, 0 failed"
else
  echo "FAIL: tshark did not load the plugin from the personal folder"
  exit 1
fi
