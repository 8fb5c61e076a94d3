#!/bin/sh
# Configures (once) and builds libdial in ./_build.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
if [ ! -f _build/build.ninja ]; then
  meson setup _build --buildtype=debugoptimized -Ddocs=true
fi
ninja -C _build
