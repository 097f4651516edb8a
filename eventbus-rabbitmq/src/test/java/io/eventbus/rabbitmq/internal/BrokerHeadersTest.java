package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.impl.LongStringHelper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerHeadersTest {
  private static Map<String, Object> count(Object value) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(BrokerHeaders.DELIVERY_COUNT, value);
    return headers;
  }

  @Test
  void theQuorumQueuesDeliveryCountIsReadAsTheBrokerSendsIt() {
    assertThat(BrokerHeaders.deliveryCount(count(2L))).isEqualTo(2);
    assertThat(BrokerHeaders.deliveryCount(count(3))).isEqualTo(3);
    assertThat(BrokerHeaders.deliveryCount(count(LongStringHelper.asLongString(" 4 "))))
        .isEqualTo(4);
    assertThat(BrokerHeaders.deliveryCount(count("5"))).isEqualTo(5);
  }

  @Test
  void anAbsentOrForgedCountIsZeroAndAHugeOneIsCapped() {
    assertThat(BrokerHeaders.deliveryCount(null)).isZero();
    assertThat(BrokerHeaders.deliveryCount(Map.of())).isZero();
    assertThat(BrokerHeaders.deliveryCount(count(-7L))).isZero();
    assertThat(BrokerHeaders.deliveryCount(count("many"))).isZero();
    assertThat(BrokerHeaders.deliveryCount(count(true))).isZero();
    assertThat(BrokerHeaders.deliveryCount(count(Long.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
  }
}
