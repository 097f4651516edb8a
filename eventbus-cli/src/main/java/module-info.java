/**
 * eventbus-cli, the operator's command-line tool: a program, not a library, so it exports nothing.
 * It is a module so that the compiler holds it to the transport's public API (it cannot reach
 * {@code io.eventbus.rabbitmq.internal}); the runnable jar is shaded and runs on the class path.
 */
module io.eventbus.cli {
  requires io.eventbus.rabbitmq;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires static org.jspecify;

  // picocli sets the commands' option fields and calls their methods by reflection.
  opens io.eventbus.cli to
      info.picocli;
}
