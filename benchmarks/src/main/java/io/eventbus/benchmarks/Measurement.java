package io.eventbus.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Wall time, process CPU time, the broker's CPU time, bytes allocated and peak heap of one run, and
 * a latency histogram filled by it.
 *
 * <p>Allocation is the sum over the JVM's threads of {@code ThreadMXBean.getThreadAllocatedBytes}
 * between {@link #start()} and {@link #stop()}: threads alive at the stop count what they allocated
 * since the start (or since they started); a thread that ends during the run is not counted, so the
 * figure is a lower bound for clients that start and end threads while measured (none of the ones
 * here do on their per-event paths). The broker's CPU time is read from {@code /proc/<pid>/stat} of
 * a private node (see {@link BrokerCpu}); it is NaN when the broker is not ours.
 */
final class Measurement {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  final Histogram latencyMicros = new Histogram(60_000_000L, 3);
  private long startNanos;
  private long startCpuNanos;
  private long startBrokerCpuNanos;
  private Map<Long, Long> startAllocated = Map.of();
  private long wallNanos;
  private long cpuNanos;
  private long brokerCpuNanos;
  private long allocatedBytes;
  private long peakHeapBytes;

  /** Collects garbage, resets the heap peaks and starts the clocks. */
  void start() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    startAllocated = allocatedByThread();
    startBrokerCpuNanos = BrokerCpu.nanos();
    startCpuNanos = OS.getProcessCpuTime();
    startNanos = System.nanoTime();
  }

  void stop() {
    wallNanos = System.nanoTime() - startNanos;
    cpuNanos = OS.getProcessCpuTime() - startCpuNanos;
    long brokerNow = BrokerCpu.nanos();
    brokerCpuNanos =
        brokerNow < 0 || startBrokerCpuNanos < 0 ? -1 : brokerNow - startBrokerCpuNanos;
    long allocated = 0;
    for (Map.Entry<Long, Long> thread : allocatedByThread().entrySet()) {
      allocated += thread.getValue() - startAllocated.getOrDefault(thread.getKey(), 0L);
    }
    allocatedBytes = allocated;
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    peakHeapBytes = peak;
  }

  private static Map<Long, Long> allocatedByThread() {
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    Map<Long, Long> allocated = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) {
        allocated.put(ids[i], bytes[i]);
      }
    }
    return allocated;
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
        brokerCpuNanos < 0 ? Double.NaN : brokerCpuNanos / 1e3 / events,
        (double) allocatedBytes / events,
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
      double brokerCpuMicrosPerEvent,
      double allocatedBytesPerEvent,
      long peakHeapBytes) {}
}
