package io.eventbus.testkit.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The one "fail on CI, skip elsewhere" rule. */
class RequirementsTest {
  @Test
  void onCiAMissingRequirementFailsTheTest() {
    assertThatThrownBy(() -> Requirements.missing("PostgreSQL is gone", Map.of("CI", "true")::get))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessage("PostgreSQL is gone (CI=true: a test that needs it fails)");
    assertThat(Requirements.onCi(Map.of("CI", "TRUE")::get)).isTrue();
  }

  @Test
  void elsewhereAMissingRequirementSkipsTheTestWithTheReason() {
    assertThat(Requirements.missing("PostgreSQL is gone", Map.<String, String>of()::get))
        .isInstanceOf(TestAbortedException.class)
        .hasMessage("PostgreSQL is gone");
    assertThat(Requirements.onCi(Map.of("CI", "false")::get)).isFalse();
  }

  @Test
  void aSkipPrintsItsReasonOnceSoThatMavensOutputShowsIt() {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    String reason = "the test-only server " + java.util.UUID.randomUUID() + " is gone";
    System.setErr(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      Requirements.missing(reason, Map.<String, String>of()::get);
      Requirements.missing(reason, Map.<String, String>of()::get);
    } finally {
      System.setErr(original);
    }

    assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines())
        .containsExactly(
            "[eventbus-testkit] Skipping tests (CI is not true; with CI=true they fail): "
                + reason);
  }

  @Test
  void anAvailableRequirementPassesAndAFoundValueIsReturned() {
    Requirements.require("the local disk", true, "never needed");

    assertThat(Requirements.require("a value", Optional.of(42), "never needed")).isEqualTo(42);
  }

  @Test
  void aMissingRequirementSaysWhatAndHowToGetIt() {
    assertThatThrownBy(() -> Requirements.require("PostgreSQL", false, "Start it with pg_ctl."))
        .satisfiesAnyOf(
            e -> assertThat(e).isInstanceOf(TestAbortedException.class),
            e -> assertThat(e).isInstanceOf(AssertionFailedError.class))
        .hasMessageStartingWith("PostgreSQL is not available. Start it with pg_ctl.");
  }
}
