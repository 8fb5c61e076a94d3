#!/bin/sh
# Installs what libdial needs to build, test and run its demo on Debian 12.
# Does nothing when everything is already there. Run as root (or with sudo).
set -eu

packages="
  gcc
  pkg-config
  meson
  ninja-build
  libglib2.0-dev
  libgnutls28-dev
  gnutls-bin
  gobject-introspection
  libgirepository1.0-dev
  gir1.2-glib-2.0
  python3-gi
  gjs
  glib-networking
  valgrind
  gi-docgen
  tmux
"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "install-deps: these packages are missing and I am not root:$missing" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
