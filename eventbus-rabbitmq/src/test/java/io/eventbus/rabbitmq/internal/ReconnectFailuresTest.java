package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AuthenticationFailureException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

class ReconnectFailuresTest {
  private static final String WHERE = "amqps://orders@rabbit:5671";

  private final AtomicLong nanos = new AtomicLong(1_000);
  private final List<String> warnings = new ArrayList<>();
  private final List<String> infos = new ArrayList<>();
  private final ReconnectFailures failures =
      new ReconnectFailures(
          "orders-publish", WHERE, Duration.ofMinutes(1), nanos::get, recordingLogger());

  /** A logger that records WARN and INFO lines, formatted; every level counts as enabled. */
  private Logger recordingLogger() {
    return (Logger)
        Proxy.newProxyInstance(
            Logger.class.getClassLoader(),
            new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
              if (method.getReturnType() == boolean.class) {
                return true;
              }
              if (method.getReturnType() == String.class) {
                return "recording";
              }
              if (args != null && args.length > 0 && args[0] instanceof String format) {
                Object[] rest = new Object[args.length - 1];
                System.arraycopy(args, 1, rest, 0, rest.length);
                if (rest.length == 1 && rest[0] instanceof Object[] varargs) {
                  rest = varargs;
                }
                String line = MessageFormatter.arrayFormat(format, rest).getMessage();
                if (method.getName().equals("warn")) {
                  warnings.add(line);
                } else if (method.getName().equals("info")) {
                  infos.add(line);
                }
              }
              return null;
            });
  }

  private static AuthenticationFailureException refused() {
    return new AuthenticationFailureException(
        "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN");
  }

  private void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  @Test
  void aBrokerThatDoesNotAnswerYetIsNoWarningButIsTheLastFailure() {
    failures.failed(new ConnectException("Connection refused"));

    assertThat(warnings).isEmpty();
    assertThat(failures.last()).isEqualTo("ConnectException: Connection refused");
  }

  @Test
  void aRefusedLoginIsWarnedAboutWithTheMessageTheFirstConnectionWouldThrow() {
    failures.failed(refused());

    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0))
        .startsWith(
            "Connection orders-publish cannot reconnect: Could not connect to "
                + WHERE
                + ": ACCESS_REFUSED - Login was refused")
        .contains("[authentication refused; 1 failed attempt so far, 0 since the last warning;");
    assertThat(failures.last())
        .isEqualTo(
            "Could not connect to "
                + WHERE
                + ": ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN");
  }

  @Test
  void theSameCauseIsWarnedAboutAtMostOncePerIntervalWithTheAttemptsInBetween() {
    failures.failed(refused());
    for (int i = 0; i < 10; i++) {
      advance(Duration.ofSeconds(5));
      failures.failed(refused());
    }
    assertThat(warnings).as("50 s of attempts: one warning").hasSize(1);

    advance(Duration.ofSeconds(10));
    failures.failed(refused());

    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(1)).contains("12 failed attempts so far, 10 since the last warning");
  }

  @Test
  void aNewCauseIsWarnedAboutAtOnce() {
    failures.failed(refused());
    advance(Duration.ofSeconds(1));
    failures.failed(
        new SSLHandshakeException("PKIX path building failed")
            .initCause(new CertPathBuilderException("unable to find valid certification path")));

    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(1))
        .contains("[TLS verification failed: UNTRUSTED_CERTIFICATE;")
        .contains("cannot reconnect: TLS verification failed for " + WHERE);
    assertThat(failures.last()).startsWith("TLS verification failed for " + WHERE);
  }

  @Test
  void recoveringForgetsTheFailureAndSaysSoAfterAWarning() {
    failures.failed(refused());
    failures.failed(refused());
    failures.recovered();

    assertThat(failures.last()).isNull();
    assertThat(infos)
        .containsExactly(
            "Connection orders-publish reconnected after 2 failed attempts; the last said: "
                + "Could not connect to "
                + WHERE
                + ": ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN");

    failures.failed(refused());
    assertThat(warnings).as("a new outage warns again at once").hasSize(2);
  }

  @Test
  void recoveringAfterFailuresNobodyWasWarnedAboutSaysNothing() {
    failures.failed(new ConnectException("Connection refused"));
    failures.recovered();

    assertThat(infos).isEmpty();
    assertThat(failures.last()).isNull();
  }
}
