package io.eventbus.samples.orders;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * One run of the order flow as the tests drive it: plain output captured, the system clock.
 *
 * @param code the exit code {@link OrderFlow#run()} returned
 * @param printed what the run printed
 * @param flow the flow, for its outcomes
 */
record FlowRun(int code, String printed, OrderFlow flow) {
  /** Runs the flow with {@code options} to its end. */
  static FlowRun of(FlowOptions options) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    OrderFlow flow =
        new OrderFlow(
            options,
            new PrintStream(output, true, StandardCharsets.UTF_8),
            false,
            Clock.systemUTC());
    int code = flow.run();
    return new FlowRun(code, output.toString(StandardCharsets.UTF_8), flow);
  }
}
