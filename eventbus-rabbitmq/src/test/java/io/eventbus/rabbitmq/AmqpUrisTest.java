package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AmqpUrisTest {
  @Test
  void thePasswordIsDroppedAndTheRestKept() {
    assertThat(AmqpUris.redact("amqp://alice:s3cret@rabbit:5672/orders?heartbeat=5"))
        .isEqualTo("amqp://alice@rabbit:5672/orders?heartbeat=5");
  }

  @Test
  void aUriWithoutPasswordOrUserIsUnchanged() {
    assertThat(AmqpUris.redact("amqps://alice@rabbit/orders"))
        .isEqualTo("amqps://alice@rabbit/orders");
    assertThat(AmqpUris.redact("amqp://rabbit:5672")).isEqualTo("amqp://rabbit:5672");
  }

  @Test
  void anEncodedPasswordIsDroppedToo() {
    assertThat(AmqpUris.redact("amqp://alice:p%40ss%3Aword@rabbit"))
        .isEqualTo("amqp://alice@rabbit")
        .doesNotContain("p%40ss")
        .doesNotContain("word");
  }

  @Test
  void anUnparseableUriBecomesAPlaceholderWithoutItsText() {
    assertThat(AmqpUris.redact("amqp://alice:s3cret@bad host")).isEqualTo("<unparseable AMQP URI>");
  }
}
