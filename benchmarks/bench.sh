#!/usr/bin/env bash
# Runs one benchmark main class of this module in a JVM of its own (so that CPU time, heap and RSS
# are the benchmark's, not Maven's): benchmarks/bench.sh ConsumeBenchmark --events 200000
# Extra JVM flags go in BENCH_JAVA_OPTS, for example a flight recording:
#   BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/consume.jfr,settings=profile"
# BENCH_EVENTBUS_TREE=/path/to/another/checkout runs the same benchmark code against that
# checkout's eventbus-api and eventbus-rabbitmq jars (build them there first with
# ./mvnw -q -pl eventbus-rabbitmq -am package -DskipTests): before/after comparisons in one harness.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
main="${1:?usage: benchmarks/bench.sh MainClass [--option value ...]}"
shift
if [[ "${BENCH_SKIP_BUILD:-}" != "true" ]]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
dependencies="$(cat benchmarks/target/classpath.txt)"
if [[ -n "${BENCH_EVENTBUS_TREE:-}" ]]; then
  for module in eventbus-api eventbus-rabbitmq; do
    jar="$(ls "$BENCH_EVENTBUS_TREE/$module/target/$module-"*.jar | grep -v -e sources -e javadoc | head -1)"
    dependencies="$(echo "$dependencies" | tr ':' '\n' \
      | sed "s#^.*/$module/target/$module-[^/]*\.jar\$#$jar#" | paste -sd: -)"
  done
  echo "eventbus jars from $BENCH_EVENTBUS_TREE" >&2
fi
classpath="benchmarks/target/classes:$dependencies"
# shellcheck disable=SC2086
exec java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseG1GC -Djava.awt.headless=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} \
  -cp "$classpath" "io.eventbus.benchmarks.$main" "$@"
