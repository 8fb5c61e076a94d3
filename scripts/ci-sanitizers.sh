#!/bin/sh
# The test suite under the memory checkers; CI runs it after scripts/test.sh.
#
# 1. AddressSanitizer + UndefinedBehaviorSanitizer: a second build in
#    ./_build-asan, and `meson test --setup sanitize` (tests/meson.build:
#    ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS with tests/lsan.supp).
#    Every suite whose programs are built here runs: c, proxy, tls,
#    fuzzing, stress, adversarial, leaks, bench-smoke.  Left out:
#    - bindings, bindings-reference, install, examples (the setup excludes
#      them): python3, gjs and sh are not instrumented, so they cannot load
#      an instrumented libdial without LD_PRELOAD=libasan.so, and with it
#      LeakSanitizer reports the interpreters' own memory at exit, which
#      no suppression file can tell from libdial's.  For the same reason
#      the build has no introspection (g-ir-scanner's dump program, linked
#      with the sanitizer runtimes, hangs at exit here, in p11-kit's
#      destructor) and no examples.
#    - test-leaks-gio: thousands of glib-networking TLS handshakes, each
#      a few hundred mallocs that the sanitizer unwinds slowly (needed so
#      that leak stacks cross GLib and gnutls): about nine minutes here
#      against half a minute without.  test-leaks-builtin runs the same
#      connects through libdial's own TLS code, and the gio provider still
#      runs under the sanitizers in test-tls-gio, test-tls-*-gio,
#      test-proxy-http-gio and test-adversarial-gio.
# 2. valgrind's memcheck on the C and TLS suites in ./_build, the build
#    scripts/test.sh made (`meson test --setup valgrind`, tests/valgrind.supp).
#
# Both parts run even if the first fails; the exit status is non-zero if
# either did.  Extra arguments go to both `meson test` runs.
set -eu
cd "$(dirname "$0")/.."

sh scripts/install-deps.sh

status=0
now () { date +%s; }

# ---- ASan + UBSan ----------------------------------------------------------

start=$(now)
if [ ! -f _build-asan/build.ninja ]; then
  meson setup _build-asan \
    -Db_sanitize=address,undefined \
    -Db_lundef=false \
    -Dintrospection=disabled \
    -Ddocs=false \
    -Dexamples=false
fi
ninja -C _build-asan

# The tests the setup keeps, less the one named above.
tests=$(meson test -C _build-asan --setup sanitize --list 2>/dev/null |
        sed -n 's|^[^ ]* / ||p' |
        grep -v -x -e 'test-leaks-gio') || {
  echo "ci-sanitizers: no test to run with --setup sanitize in _build-asan" >&2
  exit 1
}

# shellcheck disable=SC2086
meson test -C _build-asan --setup sanitize --print-errorlogs --num-processes 2 \
  "$@" $tests || status=1
echo "ci-sanitizers: ASan + UBSan: $(( $(now) - start )) s" >&2

# ---- valgrind ----------------------------------------------------------------

start=$(now)
[ -f _build/build.ninja ] || sh scripts/build.sh
ninja -C _build
meson test -C _build --setup valgrind --print-errorlogs --num-processes 2 \
  --suite c --suite tls "$@" || status=1
echo "ci-sanitizers: valgrind: $(( $(now) - start )) s" >&2

exit $status
