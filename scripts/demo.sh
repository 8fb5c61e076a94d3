#!/bin/sh
# Builds libdial and runs its demo: local servers, and the timeline of the
# events of a direct, a failed, a Happy Eyeballs, a SOCKS5 and a TLS connect;
# then, without arguments, a short session of the dial command.
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh
status=0
./_build/examples/dial-demo "$@" || status=$?
if [ $# -eq 0 ]; then
  echo
  sh scripts/dial-session.sh ./_build/tools/dial || status=$?
fi
exit "$status"
