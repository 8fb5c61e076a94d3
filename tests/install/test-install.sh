#!/bin/sh
# test-install.sh: install libdial into a temporary prefix and use it.
#
# Copyright 2026 The libdial developers
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-install.sh SRCDIR TESTDIR VERSION INTROSPECTION(true|false)
# with MESON, NINJA, CC, PKG_CONFIG, PYTHON and GJS (may be empty) in the
# environment.
#
# Configures a separate build of SRCDIR (tests and examples off) with
# --prefix in a temporary directory, installs it, checks the installed
# tree, builds consumer.c with nothing but pkg-config and runs it, then runs
# consumer.py and consumer.js against the installed typelib alone. Writes
# nothing outside its temporary directory, which it always removes.

set -eu

srcdir=$1
testdir=$2
version=$3
introspection=$4
: "${MESON:?}" "${NINJA:?}" "${CC:?}"
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
PYTHON=${PYTHON:-/usr/bin/python3}
GJS=${GJS:-}

# Nothing from the build tree the test runs in may leak in.
unset GI_TYPELIB_PATH LD_LIBRARY_PATH PKG_CONFIG_PATH DESTDIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dial-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

failures=0
fail () {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
die () {
  echo "FAIL: $*" >&2
  exit 1
}
step () {
  echo "== $*"
}
run_logged () {
  log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "$* failed"
  fi
}

prefix=$tmp/prefix
if [ "$introspection" = true ]; then gir_option=enabled; else gir_option=disabled; fi

step "configure and install into $prefix"
run_logged "$tmp/setup.log" "$MESON" setup --prefix="$prefix" \
  -Dtests=false -Dexamples=false -Ddocs=false -Dintrospection="$gir_option" \
  "$tmp/build" "$srcdir"
run_logged "$tmp/install.log" "$NINJA" -C "$tmp/build" install

step "installed files"
incdir=$prefix/include/dial-1.0
for header in dial.h dial-version.h dial-version-macros.h dial-socket-client.h; do
  [ -f "$incdir/dial/$header" ] || fail "missing $incdir/dial/$header"
done

pcfiles=$(find "$prefix" -name dial-1.0.pc)
[ -n "$pcfiles" ] || die "dial-1.0.pc was not installed"
[ "$(echo "$pcfiles" | wc -l)" -eq 1 ] || die "more than one dial-1.0.pc: $pcfiles"
pcdir=$(dirname "$pcfiles")
libdir=$(dirname "$pcdir")
echo "libdir: $libdir"
[ -L "$libdir/libdial-1.0.so" ] || fail "missing the development link $libdir/libdial-1.0.so"
[ -e "$libdir/libdial-1.0.so.0" ] || fail "missing $libdir/libdial-1.0.so.0"
[ -e "$libdir/libdial-1.0.so" ] || die "libdial-1.0.so does not resolve"

if [ "$introspection" = true ]; then
  [ -f "$prefix/share/gir-1.0/Dial-1.0.gir" ] || fail "missing $prefix/share/gir-1.0/Dial-1.0.gir"
  [ -f "$libdir/girepository-1.0/Dial-1.0.typelib" ] || fail "missing $libdir/girepository-1.0/Dial-1.0.typelib"
fi

step "public headers"
# Every header installed anywhere under include/.
headers=$(find "$prefix/include" -type f -name '*.h' | sort)
case $headers in
  *" "*) die "a path under $prefix/include has a space" ;;
esac
echo "$headers"
for header in $headers; do
  name=$(basename "$header")
  case $name in
    *private*) fail "a private header is installed: $header" ;;
  esac
  if grep -n -i gnutls "$header"; then
    fail "$name mentions gnutls"
  fi
  # Each #include "x.h" or <dial/x.h> must name another installed public
  # header.
  # shellcheck disable=SC2013 # header names have no spaces
  for inc in $(sed -n -e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' \
                      -e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<dial\/\([^>]*\)>.*/\1/p' "$header"); do
    case $inc in
      *private*) fail "$name includes the private header $inc" ;;
    esac
    [ -f "$incdir/dial/$inc" ] || fail "$name includes $inc, which is not installed"
  done
done
if grep -n -i gnutls "$pcfiles"; then
  fail "dial-1.0.pc mentions gnutls"
fi

step "exported symbols"
if command -v nm >/dev/null 2>&1; then
  exported=$(nm -D --defined-only "$libdir/libdial-1.0.so.0" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort)
  [ -n "$exported" ] || fail "libdial exports nothing"
  stray=$(echo "$exported" | grep -v '^dial_' | grep -v -x -e _init -e _fini || true)
  [ -z "$stray" ] || fail "symbols exported without the dial_ prefix: $(echo "$stray" | tr '\n' ' ')"
  echo "$(echo "$exported" | wc -l) symbols exported"
  # The dial_socket_client_* functions are GIO's g_socket_client_* ones,
  # no more, no less (GSocketClientEvent's get_type belongs to GIO).
  giolib=$("$PKG_CONFIG" --variable=libdir gio-2.0)/libgio-2.0.so.0
  if [ -e "$giolib" ]; then
    nm -D --defined-only "$giolib" | awk '$2 == "T" { print $3 }' \
      | grep '^g_socket_client_' | grep -v -x g_socket_client_event_get_type \
      | sed 's/^g_/dial_/' | sort > "$tmp/gio-symbols"
    # libdial's own additions beyond GIO's API (docs/differences-from-gio.md).
    for name in get_attempt_delay set_attempt_delay get_deadline set_deadline \
                get_family_cache set_family_cache; do
      echo "dial_socket_client_$name"
    done >> "$tmp/gio-symbols"
    sort -o "$tmp/gio-symbols" "$tmp/gio-symbols"
    echo "$exported" | grep "^dial_socket_client_" > "$tmp/dial-symbols" || true
    if ! diff -u "$tmp/gio-symbols" "$tmp/dial-symbols"; then
      fail "the exported dial_socket_client_* functions differ from GIO's g_socket_client_* (diff above: - GIO, + Dial)"
    fi
  else
    echo "$giolib not found: the comparison with GIO's symbols is skipped"
  fi
else
  echo "nm not found: skipped"
fi

step "pkg-config"
export PKG_CONFIG_PATH="$pcdir"
modversion=$("$PKG_CONFIG" --modversion dial-1.0) || die "pkg-config cannot read dial-1.0.pc"
[ "$modversion" = "$version" ] || fail "dial-1.0.pc says version $modversion, expected $version"
cflags=$("$PKG_CONFIG" --cflags dial-1.0)
libs=$("$PKG_CONFIG" --libs dial-1.0)
echo "cflags: $cflags"
echo "libs: $libs"
case " $cflags " in
  *" -I$incdir "*) ;;
  *) fail "--cflags lacks -I$incdir" ;;
esac

step "build and run consumer.c"
# shellcheck disable=SC2086 # CC, cflags and libs are word lists
$CC -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror \
  -o "$tmp/consumer" "$testdir/consumer.c" $cflags $libs || die "consumer.c does not build"
LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer" | grep libdial || true
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer" | awk '/libdial-1.0.so/ { print $3 }')
case $resolved in
  "$libdir"/*) ;;
  *) fail "consumer resolves libdial to '$resolved', not into $libdir" ;;
esac
LD_LIBRARY_PATH=$libdir GIO_USE_PROXY_RESOLVER=dummy "$tmp/consumer" || fail "consumer failed"

step "the dial command and its man page"
[ -f "$prefix/share/man/man1/dial.1" ] || fail "missing $prefix/share/man/man1/dial.1"
if [ -x "$prefix/bin/dial" ]; then
  dial_version=$(LD_LIBRARY_PATH=$libdir "$prefix/bin/dial" --version) || fail "dial --version failed"
  case $dial_version in
    "dial (libdial) $version,"*) echo "$dial_version" ;;
    *) fail "dial --version says '$dial_version'" ;;
  esac
else
  fail "missing $prefix/bin/dial"
fi

step "only <dial/dial.h> can be included directly"
printf '#include <dial/dial-socket-client.h>\nint main (void) { return 0; }\n' > "$tmp/direct.c"
# shellcheck disable=SC2086
if $CC -c -o "$tmp/direct.o" "$tmp/direct.c" $cflags > "$tmp/direct.log" 2>&1; then
  fail "including <dial/dial-socket-client.h> directly compiled"
elif ! grep -q 'Only <dial/dial.h> can be included directly' "$tmp/direct.log"; then
  cat "$tmp/direct.log" >&2
  fail "including <dial/dial-socket-client.h> directly failed for another reason"
fi

if command -v c++ >/dev/null 2>&1; then
  step "the headers compile as C++"
  printf '#include <dial/dial.h>\nint main () { return dial_socket_client_get_type () != 0 ? 0 : 1; }\n' > "$tmp/cxx.cc"
  # shellcheck disable=SC2086
  c++ -Wall -Werror -o "$tmp/cxx" "$tmp/cxx.cc" $cflags $libs || fail "dial.h does not compile as C++"
fi

if [ "$introspection" = true ]; then
  typelibdir=$libdir/girepository-1.0

  step "consumer.py with GI_TYPELIB_PATH=$typelibdir"
  GI_TYPELIB_PATH=$typelibdir LD_LIBRARY_PATH=$libdir GIO_USE_PROXY_RESOLVER=dummy \
    "$PYTHON" "$testdir/consumer.py" "$prefix" || fail "consumer.py failed"

  if [ -n "$GJS" ]; then
    step "consumer.js with GI_TYPELIB_PATH=$typelibdir"
    GI_TYPELIB_PATH=$typelibdir LD_LIBRARY_PATH=$libdir GIO_USE_PROXY_RESOLVER=dummy \
      "$GJS" -m "$testdir/consumer.js" "$prefix" || fail "consumer.js failed"
  else
    echo "gjs not found: consumer.js skipped"
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "install test passed"
