package io.eventbus.testkit.junit5;

import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.broker.Broker;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves {@link EventBusFixture}, {@link EventRecorder}, {@link DeliveryLedger} and {@link
 * Broker} parameters of test classes, constructors and lifecycle methods. Use it through {@link
 * EventBusTest}, or register it with a kind:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EventBusExtension bus = EventBusExtension.broker();
 * }</pre>
 *
 * <h2>Brokers</h2>
 *
 * For {@link TransportKind#BROKER}, the broker comes from {@link
 * io.eventbus.testkit.broker.Brokers#provide()} once per test run (a private node or container it
 * started is stopped at the end of the run). When there is none, a test that needs it fails if the
 * environment variable {@code CI} is {@code true} and is skipped otherwise, with a message that
 * says how to get one.
 *
 * <h2>Thread safety</h2>
 *
 * Stateless apart from JUnit's stores; safe with parallel test execution.
 *
 * <h2>Lifecycle</h2>
 *
 * One fixture per scope: a parameter of a test or {@code @BeforeEach}/{@code @AfterEach} method
 * gets the test's fixture (shared by those methods), one of {@code @BeforeAll} or a constructor the
 * class's. Fixtures are closed when their scope ends (see {@link EventBusFixture}).
 */
public final class EventBusExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EventBusExtension.class);

  private final @Nullable TransportKind kind;

  /** Used by {@link EventBusTest}: the kind comes from the annotation. */
  public EventBusExtension() {
    this(null);
  }

  private EventBusExtension(@Nullable TransportKind kind) {
    this.kind = kind;
  }

  /** An extension whose fixtures are in memory. */
  public static EventBusExtension inMemory() {
    return new EventBusExtension(TransportKind.IN_MEMORY);
  }

  /** An extension whose fixtures use a real broker. */
  public static EventBusExtension broker() {
    return new EventBusExtension(TransportKind.BROKER);
  }

  /**
   * Provides the broker before the class runs, so that a missing one fails or skips the class here
   * (parameter resolution would turn a skip into an error).
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    if (kind(context) == TransportKind.BROKER) {
      broker(context);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    beforeAll(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == EventBusFixture.class
        || type == EventRecorder.class
        || type == DeliveryLedger.class
        || type == Broker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == Broker.class) {
      return broker(context);
    }
    EventBusFixture fixture = fixture(context);
    if (type == EventRecorder.class) {
      return fixture.recorder();
    }
    if (type == DeliveryLedger.class) {
      return fixture.ledger();
    }
    if (type == EventBusFixture.class) {
      return fixture;
    }
    throw new ParameterResolutionException("Cannot resolve " + type.getName());
  }

  // getOrComputeIfAbsent, deprecated in JUnit 6, rather than computeIfAbsent, which JUnit 5 lacks:
  // the testkit runs on both (samples/inventory-service is tested on 6.1.3 and 5.14.4).
  @SuppressWarnings("deprecation")
  private EventBusFixture fixture(ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            ClosingFixture.class,
            key -> {
              TransportKind resolved = kind(context);
              Broker broker = resolved == TransportKind.BROKER ? broker(context) : null;
              return new ClosingFixture(new EventBusFixture(resolved, broker));
            },
            ClosingFixture.class)
        .fixture;
  }

  private TransportKind kind(ExtensionContext context) {
    if (kind != null) {
      return kind;
    }
    return context
        .getTestClass()
        .flatMap(type -> AnnotationSupport.findAnnotation(type, EventBusTest.class))
        .map(EventBusTest::transport)
        .orElse(TransportKind.IN_MEMORY);
  }

  @SuppressWarnings("deprecation") // see fixture(ExtensionContext)
  private static Broker broker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            BrokerOutcome.class, key -> BrokerOutcome.provide(), BrokerOutcome.class)
        .require(System::getenv);
  }

  /** Stored so that JUnit closes the fixture when its scope ends. */
  private static final class ClosingFixture implements AutoCloseable {
    final EventBusFixture fixture;

    ClosingFixture(EventBusFixture fixture) {
      this.fixture = Objects.requireNonNull(fixture);
    }

    @Override
    public void close() {
      fixture.close();
    }
  }
}
