#!/usr/bin/env bash
# Runs publish, consume, latency, the Spring AMQP comparison and a short soak against the broker on
# 127.0.0.1:5672 (about 15 minutes), then rewrites docs/performance.md and docs/img/*.png.
# Options go to PerformanceReport, for example: benchmarks/run-all.sh --soak-seconds 1800
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/benchmarks/bench.sh" PerformanceReport --docs "$root/docs" "$@"
