package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NotifyThrottleTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void theFirstStoreNotifiesAndTheNextOnlyTenMillisecondsLater() {
    NotifyThrottle throttle = new NotifyThrottle(true, now::get);

    assertThat(throttle.take()).isTrue();
    assertThat(throttle.take()).isFalse();
    now.addAndGet(NotifyThrottle.SPACING - 1);
    assertThat(throttle.take()).isFalse();
    now.addAndGet(1);
    assertThat(throttle.take()).isTrue();
    assertThat(throttle.take()).isFalse();
  }

  @Test
  void withNotificationsOffNoStoreNotifies() {
    NotifyThrottle throttle = new NotifyThrottle(false, now::get);

    assertThat(throttle.take()).isFalse();
    now.addAndGet(NotifyThrottle.SPACING * 10);
    assertThat(throttle.take()).isFalse();
  }
}
