package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import org.junit.jupiter.api.Test;

class JdbcTablesTest {
  @Test
  void namesAreThePrefixedTablesInTheSchemaIfOneIsSet() {
    assertThat(JdbcTables.defaults().outbox()).isEqualTo("eventbus_outbox");
    JdbcTables tables = JdbcTables.defaults().withSchema("orders").withPrefix("bus_");
    assertThat(tables.outbox()).isEqualTo("orders.bus_outbox");
    assertThat(tables.outboxDeadLetters()).isEqualTo("orders.bus_outbox_dead");
    assertThat(tables.inbox()).isEqualTo("orders.bus_inbox");
    assertThat(tables.notifyChannel()).isEqualTo("orders.bus_outbox");
  }

  @Test
  void namesThatCouldInjectSqlAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> JdbcTables.defaults().withSchema("x; DROP TABLE y"))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("schema");
    assertThatThrownBy(() -> JdbcTables.defaults().withPrefix("Bus"))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> JdbcTables.defaults().withPrefix("a".repeat(31)))
        .isInstanceOf(EventBusConfigurationException.class);
  }
}
