package io.eventbus.testkit.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.testkit.broker.BrokerChain.Candidate;
import io.eventbus.testkit.broker.BrokerChain.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The provider chain's choices, with every probe injected: no broker, Docker or node needed. */
class BrokerChainTest {
  private static final Path SBIN = Path.of("/usr/lib/rabbitmq/lib/rabbitmq_server-3.10.8/sbin");

  private final Map<String, String> environment = new HashMap<>();
  private final Set<String> answering = new java.util.HashSet<>();
  private boolean docker;
  private boolean testcontainers = true;
  private Optional<Path> installation = Optional.of(SBIN);
  private final List<String> started = new ArrayList<>();
  private boolean containerFails;

  private BrokerChain chain() {
    return new BrokerChain(
        environment::get,
        (host, port) -> answering.contains(host + ":" + port),
        () -> docker,
        () -> testcontainers,
        () -> installation,
        new BrokerChain.Starters() {
          @Override
          public Broker container() {
            started.add("container");
            if (containerFails) {
              throw new IllegalStateException("image pull failed");
            }
            return ExternalBroker.of("amqp://u:p@127.0.0.1:32768", "container");
          }

          @Override
          public Broker privateNode(Path sbin) {
            started.add("node " + sbin);
            return ExternalBroker.of("amqp://guest:guest@127.0.0.1:5700", "node");
          }
        });
  }

  private List<Kind> kinds() {
    return chain().candidates(new ArrayList<>()).stream().map(Candidate::kind).toList();
  }

  @Test
  void everythingAvailableIsTriedInTheDocumentedOrderAfterTheLocalBroker() {
    answering.add("127.0.0.1:5672");
    docker = true;

    assertThat(kinds()).containsExactly(Kind.LOCAL, Kind.CONTAINER, Kind.PRIVATE_NODE);
    assertThat(chain().provide().uri()).isEqualTo("amqp://guest:guest@127.0.0.1:5672");
    assertThat(started).isEmpty();
  }

  @Test
  void anExplicitUriIsTheOnlyCandidate() {
    environment.put("EVENTBUS_TEST_AMQP_URI", "amqp://alice:secret@127.0.0.1:5999/vh");
    answering.add("127.0.0.1:5999");
    answering.add("127.0.0.1:5672");
    docker = true;

    assertThat(kinds()).containsExactly(Kind.ENVIRONMENT_URI);
    Broker broker = chain().provide();
    assertThat(broker.uri()).isEqualTo("amqp://alice:secret@127.0.0.1:5999/vh");
    assertThat(broker.port()).isEqualTo(5999);
    assertThat(broker.description()).doesNotContain("secret");
  }

  @Test
  void anExplicitUriThatDoesNotAnswerIsNotReplacedByAnotherBroker() {
    environment.put("EVENTBUS_TEST_AMQP_URI", "amqp://alice:secret@127.0.0.1:5999");
    answering.add("127.0.0.1:5672");

    assertThatThrownBy(() -> chain().provide())
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("EVENTBUS_TEST_AMQP_URI is set but nothing answers at 127.0.0.1:5999")
        .hasMessageNotContaining("secret");
  }

  @Test
  void withoutALocalBrokerTheContainerIsChosenWhenDockerAnswers() {
    docker = true;

    assertThat(kinds()).containsExactly(Kind.CONTAINER, Kind.PRIVATE_NODE);
    assertThat(chain().provide().port()).isEqualTo(32768);
    assertThat(started).containsExactly("container");
  }

  @Test
  void theContainerIsSkippedWhenNoDockerEngineAnswers() {
    docker = false;

    List<String> notes = new ArrayList<>();
    assertThat(chain().candidates(notes))
        .extracting(Candidate::kind)
        .containsExactly(Kind.PRIVATE_NODE);
    assertThat(notes).contains("no Docker engine answers");
    assertThat(chain().provide().port()).isEqualTo(5700);
    assertThat(started).containsExactly("node " + SBIN);
  }

  @Test
  void theContainerIsSkippedWithoutTheOptionalModuleEvenWhenDockerAnswers() {
    docker = true;
    testcontainers = false;

    List<String> notes = new ArrayList<>();
    assertThat(chain().candidates(notes))
        .extracting(Candidate::kind)
        .containsExactly(Kind.PRIVATE_NODE);
    assertThat(notes).anySatisfy(note -> assertThat(note).contains("testcontainers-rabbitmq"));
  }

  @Test
  void aContainerThatFailsToStartHandsOverToThePrivateNode() {
    docker = true;
    containerFails = true;

    assertThat(chain().provide().port()).isEqualTo(5700);
    assertThat(started).containsExactly("container", "node " + SBIN);
  }

  @Test
  void withNothingAvailableTheFailureListsWhatWasTriedAndHowToGetABroker() {
    installation = Optional.empty();

    assertThatThrownBy(() -> chain().provide())
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("EVENTBUS_TEST_AMQP_URI is not set")
        .hasMessageContaining("nothing answers on 127.0.0.1:5672")
        .hasMessageContaining("no Docker engine answers")
        .hasMessageContaining("rabbitmq-server is not installed")
        .hasMessageContaining("rabbitmq-server -detached");
  }

  @Test
  void theNewestInstalledVersionSortsLast() {
    assertThat(PrivateRabbitNode.version(Path.of("/x/rabbitmq_server-3.10.8/sbin")))
        .isLessThan(PrivateRabbitNode.version(Path.of("/x/rabbitmq_server-3.13.1/sbin")))
        .isLessThan(PrivateRabbitNode.version(Path.of("/x/rabbitmq_server-4.0.0/sbin")));
  }

  @Test
  void theDockerProbeFindsNoEngineAtASocketThatDoesNotExist() {
    assertThat(Probes.dockerAnswers("unix:///nonexistent/docker.sock", null)).isFalse();
  }
}
