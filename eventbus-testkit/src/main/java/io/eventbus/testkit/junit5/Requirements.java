package io.eventbus.testkit.junit5;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The rule for tests that need a server (a broker, a database) or a tool that may be missing: on CI
 * (the environment variable {@code CI} is {@code true}) a missing one fails the test; elsewhere it
 * skips the test, saying what is missing and how to get it. Never skipped silently on CI.
 *
 * <pre>{@code
 * Path sbin = Requirements.require("rabbitmq-server", PrivateRabbitNode.installation(),
 *     "install it with 'apt-get install rabbitmq-server'");
 * Requirements.require("PostgreSQL", Probe.answers("127.0.0.1", 5432),
 *     "start one or set EVENTBUS_TEST_JDBC_URL");
 * }</pre>
 *
 * <p>{@link EventBusExtension} applies it to brokers; other modules' tests apply it to their own
 * servers with these methods.
 *
 * <h2>Thread safety</h2>
 *
 * Stateless.
 *
 * <h2>Failures</h2>
 *
 * A missing requirement throws {@link AssertionFailedError} on CI and {@link TestAbortedException}
 * (JUnit reports the test as skipped) elsewhere. Since Maven's Surefire and Failsafe count skipped
 * tests without saying why, a skip also prints its reason to standard error, once per reason and
 * JVM, which the build shows in its output: {@code [eventbus-testkit] Skipping tests (CI is not
 * true): RabbitMQ is not available ...}.
 */
public final class Requirements {
  private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

  private Requirements() {}

  /** Whether this run is on CI: the environment variable {@code CI} is {@code true}. */
  public static boolean onCi() {
    return onCi(System::getenv);
  }

  /**
   * Returns if {@code available}; otherwise fails (on CI) or skips the test.
   *
   * @param what what is needed, for the message ("RabbitMQ", "PostgreSQL")
   * @param howToGetIt one sentence on how to provide it
   */
  public static void require(String what, boolean available, String howToGetIt) {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(howToGetIt, "howToGetIt");
    if (!available) {
      throw missing(what + " is not available. " + howToGetIt, System::getenv);
    }
  }

  /**
   * The found value; if {@code found} is empty, fails (on CI) or skips the test.
   *
   * @param what what is needed, for the message
   * @param howToGetIt one sentence on how to provide it
   */
  public static <T> T require(String what, Optional<T> found, String howToGetIt) {
    Objects.requireNonNull(found, "found");
    require(what, found.isPresent(), howToGetIt);
    return found.orElseThrow();
  }

  /**
   * Fails (on CI) or skips the test with {@code reason}, already phrased with what is missing and
   * how to get it. Never returns normally; declared to return so that callers can {@code throw}.
   */
  public static RuntimeException unavailable(String reason) {
    throw missing(Objects.requireNonNull(reason, "reason"), System::getenv);
  }

  static boolean onCi(Function<String, @Nullable String> environment) {
    return "true".equalsIgnoreCase(environment.apply("CI"));
  }

  /** What to throw for a missing requirement, under {@code environment}. */
  static RuntimeException missing(String reason, Function<String, @Nullable String> environment) {
    if (onCi(environment)) {
      throw new AssertionFailedError(reason + " (CI=true: a test that needs it fails)");
    }
    if (ANNOUNCED.add(reason)) {
      System.err.println(
          "[eventbus-testkit] Skipping tests (CI is not true; with CI=true they fail): " + reason);
    }
    return new TestAbortedException(reason);
  }
}
