package io.eventbus.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class TransportSettingsTest {
  @Test
  void theApplicationNameComesFromTheSystemPropertyFirstWithoutControlCharacters() {
    String before = System.getProperty(TransportSettings.APPLICATION_PROPERTY);
    try {
      System.setProperty(TransportSettings.APPLICATION_PROPERTY, " inventory\n");
      assertThat(TransportSettings.defaultApplicationName()).isEqualTo("inventory");
      assertThat(TransportSettings.builder("amqp://localhost").build().connectionName())
          .isEqualTo("inventory");
      System.setProperty(TransportSettings.APPLICATION_PROPERTY, "x".repeat(300));
      assertThat(TransportSettings.defaultApplicationName()).hasSize(200);
    } finally {
      if (before == null) {
        System.clearProperty(TransportSettings.APPLICATION_PROPERTY);
      } else {
        System.setProperty(TransportSettings.APPLICATION_PROPERTY, before);
      }
    }
  }

  @Test
  void withoutPropertyOrVariableTheApplicationNameIsTheHostName() throws Exception {
    if (System.getProperty(TransportSettings.APPLICATION_PROPERTY) == null
        && System.getenv(TransportSettings.APPLICATION_VARIABLE) == null) {
      assertThat(TransportSettings.defaultApplicationName())
          .isEqualTo(InetAddress.getLocalHost().getHostName());
    } else {
      assertThat(TransportSettings.defaultApplicationName()).isNotBlank();
    }
  }
}
