package io.eventbus.cli;

import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.DeadLettersBusyException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every command shares: the broker options, --json, and turning failures into exit codes. */
abstract class BrokerCommand implements Callable<Integer> {
  @Mixin BrokerOptions broker;

  @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
  boolean json;

  @Spec CommandSpec spec;

  Clock clock = Clock.systemUTC();

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Output output = new Output(out, err, json);
    try (Session session = new Session(broker)) {
      return run(session, output);
    } catch (CliException e) {
      output.error(e.getMessage());
      return e.exitCode();
    } catch (DeadLettersBusyException e) {
      output.error(e.getMessage());
      return ExitCodes.BUSY;
    } catch (EventBusException e) {
      output.error(e.getMessage());
      return ExitCodes.CONNECTION;
    }
  }

  /** Runs the command; returns its exit code. */
  abstract int run(Session session, Output output);
}
