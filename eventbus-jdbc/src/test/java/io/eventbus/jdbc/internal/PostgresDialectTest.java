package io.eventbus.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresDialectTest {
  @Test
  void theShippedScriptsAreSplitIntoStatementsWithThePrefixReplaced() {
    List<String> outbox = PostgresScripts.statements("outbox.sql", "bus_");
    assertThat(outbox).hasSize(4);
    assertThat(outbox.get(0)).startsWith("CREATE TABLE IF NOT EXISTS bus_outbox (");
    assertThat(outbox.get(1))
        .startsWith("CREATE INDEX IF NOT EXISTS bus_outbox_unsent")
        .contains("ON bus_outbox ");
    assertThat(String.join("\n", outbox)).doesNotContain("eventbus_").doesNotContain("--");
    assertThat(PostgresScripts.statements("inbox.sql", "eventbus_"))
        .hasSize(2)
        .allSatisfy(sql -> assertThat(sql).contains("eventbus_inbox"));
  }

  @Test
  void lockSpacesDifferPerTableAndPerKind() {
    assertThat(PostgresDialect.space("a_outbox", "bucket"))
        .isNotEqualTo(PostgresDialect.space("b_outbox", "bucket"))
        .isNotEqualTo(PostgresDialect.space("a_outbox", "key"));
  }
}
