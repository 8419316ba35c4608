#!/usr/bin/env bash
# The backfill as a user runs it (issue 15, acceptance 6): `dualwrite backfill` in a fresh JVM against the single
# INSERT ... SELECT into a twin of the target, alternated, best of 3 each. Arguments go to CliBackfillBenchmark
# (--cli [NAME=]JAR [JVM-FLAGS], --rows, --rounds, --workers, --url, --user); the server is an embedded
# PostgreSQL 17 unless --url or DUALWRITE_TEST_JDBC_URL names one.
#   benchmarks/scripts/cli-backfill.sh                       # build, then 1M users, 3 rounds
#   SKIP_BUILD=1 benchmarks/scripts/cli-backfill.sh --cli before=/tmp/old.jar --cli after=migrator/target/dualwrite-migrator.jar
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -z "${SKIP_BUILD:-}" ]]; then
  mvn -B -q -Dstyle.color=never -pl benchmarks -am -DskipTests package
fi
exec java -cp benchmarks/target/benchmarks.jar io.dualwrite.benchmarks.CliBackfillBenchmark "$@"
