#!/usr/bin/env bash
# Runs the test suite once per PostgreSQL major version (embedded binaries from Maven Central) and prints one
# table of results, ready for the README. Usage:
#   scripts/test-on-every-postgres.sh                      # the whole suite on 14, 15, 16, 17 and 18
#   MODULES=driver,migrator scripts/test-on-every-postgres.sh 14.19.0 17.6.0
# MODULES limits the run to those modules (their upstream modules are built, and tested, too).
# Logs: target/postgres-versions/<version>.log; a version's failing tests are listed under the table.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  versions=(14.19.0 15.13.0 16.10.0 17.6.0 18.0.0)
fi
scope=()
if [ -n "${MODULES:-}" ]; then
  scope=(-pl "$MODULES" -am)
fi
out=target/postgres-versions
mkdir -p "$out"
rows=()
failing=()
for v in "${versions[@]}"; do
  echo "=== PostgreSQL $v: mvn verify ${scope[*]:-} (log: $out/$v.log)"
  start=$(date +%s)
  # failures are counted from the reports below, so the build itself goes on to the next version
  mvn -B -Dstyle.color=never verify "${scope[@]}" -Dpostgres-binaries.version="$v" -Dmaven.test.failure.ignore=true \
    > "$out/$v.log" 2>&1 || true
  seconds=$(( $(date +%s) - start ))
  tests=0; failures=0; errors=0; skipped=0
  for report in */target/surefire-reports/TEST-*.xml; do
    [ -e "$report" ] || continue
    # only this run's reports: a module outside MODULES keeps older ones
    [ "$(stat -c %Y "$report")" -ge "$start" ] || continue
    line=$(grep -m1 '<testsuite ' "$report")
    for field in tests failures errors skipped; do
      n=$(sed -n "s/.* $field=\"\([0-9]*\)\".*/\1/p" <<< "$line")
      printf -v "$field" '%d' $(( ${!field} + ${n:-0} ))
    done
    if grep -q -E '<(failure|error)[ >]' "$report"; then
      failing+=("$v: $(basename "$report" .xml | sed 's/^TEST-//')")
      # the failed tests and their messages without stack frames, so that a CI log that keeps only this output
      # still says what failed
      summary="${report%.xml}.txt"
      summary="${summary/TEST-/}"
      if [ -e "$summary" ]; then
        failing+=("$(grep -v -E $'^\t(at |\.\.\. )' "$summary" | sed -n '4,60p' | sed 's/^/      /' || true)")
      fi
    fi
  done
  build=$(grep -q 'BUILD SUCCESS' "$out/$v.log" && echo ok || echo 'build failed')
  if [ "$build" != ok ]; then
    failing+=("$v: the build failed (a version without embedded binaries? see $out/$v.log)")
  fi
  rows+=("| $v | $tests | $failures | $errors | $skipped | ${seconds} s | $build |")
done
echo
echo "| PostgreSQL | tests | failures | errors | skipped | time | build |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ ${#failing[@]} -gt 0 ]; then
  echo
  echo "failing test classes:"
  printf '  %s\n' "${failing[@]}"
  exit 1
fi
