package io.eventbus.testkit.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider chain, with everything it looks at injected so that its choices can be tested
 * without a broker or Docker: the environment, a TCP probe, a Docker probe, whether Testcontainers
 * is present, where rabbitmq-server is installed, and how each kind of broker is started.
 *
 * <p>Order: {@code EVENTBUS_TEST_AMQP_URI}; 127.0.0.1:5672; a Testcontainers container (only when
 * the module is present and a Docker engine answers); a private node (only when rabbitmq-server is
 * installed). An explicit URI is never second-guessed: when it is set, it is the only candidate.
 * Otherwise, a candidate that fails to start hands over to the next one.
 */
final class BrokerChain {
  private static final Logger log = LoggerFactory.getLogger(BrokerChain.class);

  static final String URI_VARIABLE = "EVENTBUS_TEST_AMQP_URI";
  static final String LOCAL_HOST = "127.0.0.1";
  static final int LOCAL_PORT = 5672;

  /** The kinds of broker, in the order they are tried. */
  enum Kind {
    ENVIRONMENT_URI,
    LOCAL,
    CONTAINER,
    PRIVATE_NODE
  }

  /** A viable choice and how to start it. */
  record Candidate(Kind kind, String description, Supplier<Broker> starter) {}

  /** What the chain looks at. */
  interface TcpProbe {
    boolean answers(String host, int port);
  }

  /** How each kind of broker is started. */
  interface Starters {
    Broker container();

    Broker privateNode(Path sbin);
  }

  private final Function<String, @Nullable String> environment;
  private final TcpProbe tcp;
  private final BooleanSupplier dockerAnswers;
  private final BooleanSupplier testcontainersPresent;
  private final Supplier<Optional<Path>> rabbitmqInstallation;
  private final Starters starters;

  BrokerChain(
      Function<String, @Nullable String> environment,
      TcpProbe tcp,
      BooleanSupplier dockerAnswers,
      BooleanSupplier testcontainersPresent,
      Supplier<Optional<Path>> rabbitmqInstallation,
      Starters starters) {
    this.environment = environment;
    this.tcp = tcp;
    this.dockerAnswers = dockerAnswers;
    this.testcontainersPresent = testcontainersPresent;
    this.rabbitmqInstallation = rabbitmqInstallation;
    this.starters = starters;
  }

  /** The chain over the real environment and machine. */
  static BrokerChain real() {
    return new BrokerChain(
        System::getenv,
        Probes::answers,
        () -> Probes.dockerAnswers(System.getenv("DOCKER_HOST"), System.getProperty("user.home")),
        Probes::testcontainersPresent,
        PrivateRabbitNode::installation,
        new Starters() {
          @Override
          public Broker container() {
            return ContainerBroker.start();
          }

          @Override
          public Broker privateNode(Path sbin) {
            return PrivateRabbitNode.start(sbin);
          }
        });
  }

  /**
   * The viable candidates in order, each probed once.
   *
   * @param notes receives why the others were passed over
   */
  List<Candidate> candidates(List<String> notes) {
    List<Candidate> candidates = new ArrayList<>();
    String uri = environment.apply(URI_VARIABLE);
    if (uri != null && !uri.isBlank()) {
      ExternalBroker broker = ExternalBroker.of(uri.trim(), URI_VARIABLE);
      if (tcp.answers(broker.host(), broker.port())) {
        candidates.add(new Candidate(Kind.ENVIRONMENT_URI, URI_VARIABLE, () -> broker));
      } else {
        notes.add(
            URI_VARIABLE
                + " is set but nothing answers at "
                + broker.host()
                + ":"
                + broker.port()
                + " (an explicit URI is not replaced by another broker)");
      }
      return candidates;
    }
    notes.add(URI_VARIABLE + " is not set");
    if (tcp.answers(LOCAL_HOST, LOCAL_PORT)) {
      String description = "the local broker at " + LOCAL_HOST + ":" + LOCAL_PORT;
      ExternalBroker local =
          ExternalBroker.of("amqp://guest:guest@" + LOCAL_HOST + ":" + LOCAL_PORT, description);
      candidates.add(new Candidate(Kind.LOCAL, description, () -> local));
    } else {
      notes.add("nothing answers on " + LOCAL_HOST + ":" + LOCAL_PORT);
    }
    if (!testcontainersPresent.getAsBoolean()) {
      notes.add("org.testcontainers:testcontainers-rabbitmq is not on the class path");
    } else if (!dockerAnswers.getAsBoolean()) {
      notes.add("no Docker engine answers");
    } else {
      candidates.add(
          new Candidate(
              Kind.CONTAINER, "a Testcontainers RabbitMQ container", starters::container));
    }
    Optional<Path> sbin = rabbitmqInstallation.get();
    if (sbin.isPresent()) {
      candidates.add(
          new Candidate(
              Kind.PRIVATE_NODE,
              "a private node from " + sbin.get(),
              () -> starters.privateNode(sbin.get())));
    } else {
      notes.add("rabbitmq-server is not installed under " + PrivateRabbitNode.INSTALL_ROOT);
    }
    return candidates;
  }

  /**
   * Starts the first candidate that starts.
   *
   * @throws BrokerUnavailableException listing what was tried when none does
   */
  Broker provide() {
    List<String> notes = new ArrayList<>();
    for (Candidate candidate : candidates(notes)) {
      try {
        Broker broker = candidate.starter().get();
        log.info("Tests use {}", broker.description());
        return broker;
      } catch (RuntimeException e) {
        log.warn("Could not start {}: {}", candidate.description(), e.getMessage());
        notes.add(candidate.description() + " did not start (" + e.getMessage() + ")");
      }
    }
    throw new BrokerUnavailableException(String.join("; ", notes));
  }
}
