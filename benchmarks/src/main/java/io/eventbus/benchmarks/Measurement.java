package io.eventbus.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import org.HdrHistogram.Histogram;

/** Wall time, process CPU time and peak heap of one run, and a latency histogram filled by it. */
final class Measurement {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  final Histogram latencyMicros = new Histogram(60_000_000L, 3);
  private long startNanos;
  private long startCpuNanos;
  private long wallNanos;
  private long cpuNanos;
  private long peakHeapBytes;

  /** Collects garbage, resets the heap peaks and starts the clocks. */
  void start() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    startCpuNanos = OS.getProcessCpuTime();
    startNanos = System.nanoTime();
  }

  void stop() {
    wallNanos = System.nanoTime() - startNanos;
    cpuNanos = OS.getProcessCpuTime() - startCpuNanos;
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    peakHeapBytes = peak;
  }

  Result result(String client, String queueType, int events) {
    return new Result(
        client,
        queueType,
        events,
        events / (wallNanos / 1e9),
        latencyMicros.getValueAtPercentile(50),
        latencyMicros.getValueAtPercentile(99),
        cpuNanos / 1e3 / events,
        peakHeapBytes);
  }

  /** One run's figures. */
  record Result(
      String client,
      String queueType,
      int events,
      double eventsPerSecond,
      long p50Micros,
      long p99Micros,
      double cpuMicrosPerEvent,
      long peakHeapBytes) {}
}
