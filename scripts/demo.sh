#!/bin/sh
# Builds libdial and runs its demo: local servers, and the timeline of the
# events of a direct, a failed, a Happy Eyeballs, a SOCKS5 and a TLS connect.
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh
exec ./_build/examples/dial-demo "$@"
