#!/usr/bin/env bash
# Runs publish, consume, latency, the Spring AMQP comparison, request-reply and a short soak on a
# private RabbitMQ node started for the run (about 20 minutes), then rewrites docs/performance.md and
# docs/img/*.png.
# Options go to PerformanceReport, for example: benchmarks/run-all.sh --soak-seconds 1800
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/benchmarks/bench.sh" PerformanceReport --docs "$root/docs" "$@"
