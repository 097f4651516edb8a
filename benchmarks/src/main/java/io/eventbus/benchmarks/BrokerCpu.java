package io.eventbus.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the broker's Erlang VM, read from {@code /proc/<pid>/stat} (user plus system time, in
 * clock ticks of 10 ms), when the benchmarks run their own private node and know its pid.
 */
final class BrokerCpu {
  private static final long NANOS_PER_TICK = 10_000_000L;
  private static volatile long pid = -1;

  private BrokerCpu() {}

  /** Reads the broker's CPU time from now on from the process {@code brokerPid}. */
  static void watch(long brokerPid) {
    pid = brokerPid;
  }

  /** Whether a broker's CPU time is being read. */
  static boolean known() {
    return pid > 0;
  }

  /** The broker's CPU time so far in nanoseconds, or -1 if unknown. */
  static long nanos() {
    long id = pid;
    if (id <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + id + "/stat"));
      // The command name in parentheses may hold spaces: fields count from after its ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long user = Long.parseLong(fields[11]);
      long system = Long.parseLong(fields[12]);
      return (user + system) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
