#!/bin/bash
# Runs each libFuzzer binary of a build for a while and reports what it did.
#
#   fuzzing/run-fuzzers.sh BUILD-DIR SECONDS [TARGET…]
#
# BUILD-DIR is a build configured with clang, for instance
#   CC=clang meson setup _build-fuzz -Db_sanitize=address,undefined \
#     -Db_lundef=false -Dintrospection=disabled
#   ninja -C _build-fuzz
# This script builds nothing.  Each target (all of them by default: host-port,
# uri, socks-reply, http-connect-reply, no-proxy, proxy-env,
# pem-certificate, alpn) runs for SECONDS with its seed corpus
# (fuzzing/corpus/TARGET, read only) and dictionary (fuzzing/TARGET.dict).
# What it learns goes to BUILD-DIR/fuzzing/runs/TARGET/corpus, which the
# next run starts from; a crashing input goes to BUILD-DIR/fuzzing/runs/TARGET/
# as crash-…, leak-…, timeout-… or oom-…, with libFuzzer's output in log.
#
# FUZZ_JOBS (default 1) targets run at a time.  The table at the end gives
# libFuzzer's own final statistics.  The exit status is 1 if any target
# crashed, 2 on a usage error.

set -u

usage () {
  echo "usage: $0 BUILD-DIR SECONDS [TARGET…]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
build_dir=$(cd "$1" 2>/dev/null && pwd) || usage
seconds=$2
shift 2
case $seconds in
  ''|*[!0-9]*) usage ;;
esac

src_dir=$(cd "$(dirname "$0")" && pwd)
runs_dir=$build_dir/fuzzing/runs
jobs=${FUZZ_JOBS:-1}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=(host-port uri socks-reply http-connect-reply no-proxy proxy-env pem-certificate alpn)
fi

for target in "${targets[@]}"; do
  if [ ! -x "$build_dir/fuzzing/fuzz-$target-libfuzzer" ]; then
    echo "$0: no $build_dir/fuzzing/fuzz-$target-libfuzzer (a clang build with libFuzzer?)" >&2
    exit 2
  fi
done

# As the replay tests run: no user settings, no real proxies.
export GIO_USE_VFS=local GSETTINGS_BACKEND=memory GIO_USE_PROXY_RESOLVER=dummy
export G_SLICE=always-malloc
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one () {
  local target=$1
  local dir=$runs_dir/$target

  local extra=()

  # GIO's half of the comparison leaks (GIO 2.74 loses the issuers it
  # built when a certificate of the chain does not parse): libFuzzer would
  # scan for leaks after most inputs, 70 times slower, and the process
  # grows by some 8 MB a second.  Leaks are looked for at exit only (and
  # by the replay test under valgrind), and the memory limit is higher.
  case $target in
    pem-certificate) extra=(-detect_leaks=0 -rss_limit_mb=8192) ;;
  esac

  mkdir -p "$dir/corpus"
  rm -f "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*
  "$build_dir/fuzzing/fuzz-$target-libfuzzer" \
    -max_total_time="$seconds" \
    -print_final_stats=1 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    "${extra[@]}" \
    -dict="$src_dir/$target.dict" \
    -artifact_prefix="$dir/" \
    "$dir/corpus" "$src_dir/corpus/$target" \
    > "$dir/log" 2>&1
  echo $? > "$dir/status"
}

echo "Running ${#targets[@]} target(s) for $seconds s each, $jobs at a time; logs in $runs_dir"
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n
  done
  echo "  $target…"
  run_one "$target" &
done
wait

stat () {
  sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

failed=0
printf '\n%-20s %8s %14s %10s %9s %8s %8s  %s\n' \
  target seconds executions 'exec/s' 'new units' corpus 'RSS MB' result
for target in "${targets[@]}"; do
  dir=$runs_dir/$target
  log=$dir/log
  artifact=$(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -n 1)
  status=$(cat "$dir/status")
  if [ -n "$artifact" ] || [ "$status" != 0 ]; then
    result="CRASH ${artifact:-(exit status $status, see $log)}"
    failed=1
  else
    result=ok
  fi
  printf '%-20s %8s %14s %10s %9s %8s %8s  %s\n' "$target" "$seconds" \
    "$(stat "$log" number_of_executed_units)" "$(stat "$log" average_exec_per_sec)" \
    "$(stat "$log" new_units_added)" "$(ls "$dir/corpus" | wc -l)" \
    "$(stat "$log" peak_rss_mb)" "$result"
done

exit $failed
