package io.eventbus.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator's command-line tool: {@code eventbus list | show | replay | discard | export}. See
 * {@code docs/operations.md}, or {@code eventbus --help}.
 */
@Command(
    name = "eventbus",
    mixinStandardHelpOptions = true,
    versionProvider = EventBusCli.Version.class,
    description = "Look after an eventbus on RabbitMQ: its subscriptions and dead-lettered events.",
    subcommands = {
      ListCommand.class,
      ShowCommand.class,
      ReplayCommand.class,
      DiscardCommand.class,
      ExportCommand.class
    },
    footer = ExitCodes.HELP,
    usageHelpAutoWidth = true)
public final class EventBusCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private EventBusCli() {}

  /** Runs the tool and exits with its exit code. */
  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--verbose")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      args = Arrays.stream(args).filter(arg -> !"--verbose".equals(arg)).toArray(String[]::new);
    }
    int code =
        run(
            args,
            new PrintWriter(System.out, true, StandardCharsets.UTF_8),
            new PrintWriter(System.err, true, StandardCharsets.UTF_8),
            System.in);
    System.exit(code);
  }

  /** Runs the tool with these streams and returns the exit code. */
  static int run(String[] args, Writer out, Writer err, InputStream in) {
    BufferedReader answers = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine commandLine =
        new CommandLine(
            new EventBusCli(),
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> type) throws Exception {
                K created = defaults.create(type);
                if (created instanceof DiscardCommand discard) {
                  discard.answers = answers;
                }
                return created;
              }
            });
    PrintWriter outWriter = out instanceof PrintWriter p ? p : new PrintWriter(out, true);
    PrintWriter errWriter = err instanceof PrintWriter p ? p : new PrintWriter(err, true);
    commandLine.setOut(outWriter);
    commandLine.setErr(errWriter);
    commandLine.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("eventbus: internal error: " + e);
          return ExitCodes.SOFTWARE;
        });
    int code = commandLine.execute(args);
    outWriter.flush();
    errWriter.flush();
    return code;
  }

  /** Without a command: the help. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "Name a command");
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = EventBusCli.class.getPackage().getImplementationVersion();
      return new String[] {"eventbus " + (version == null ? "(development build)" : version)};
    }
  }
}
