#!/bin/sh
# Builds libdial and runs the whole test suite (C, Python, GJS, install,
# examples). Extra arguments go to `meson test`.
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh
meson test -C _build --print-errorlogs --num-processes 2 "$@"
