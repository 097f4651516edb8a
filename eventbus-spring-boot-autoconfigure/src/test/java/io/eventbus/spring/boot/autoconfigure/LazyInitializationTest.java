package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.EventRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** With {@code spring.main.lazy-initialization=true}, handler beans nobody injects still run. */
class LazyInitializationTest {

  @Test
  void subscribesHandlerBeansOfALazilyInitialisedApplication() {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(Application.class)
            .properties(
                "spring.main.lazy-initialization=true",
                "spring.main.web-application-type=none",
                "eventbus.transport=in-memory")
            .run()) {
      context.getBean(EventBus.class).publishAndWait(new OrderPlaced("o-1", 1));

      assertThat(
              context
                  .getBean(EventRecorder.class)
                  .awaitHandled("lazy-app", OrderPlaced.class, 1, Duration.ofSeconds(10)))
          .containsExactly(new OrderPlaced("o-1", 1));
    }
  }

  @Configuration(proxyBeanMethods = false)
  // No database here; the test class path has one's auto-configuration for the outbox tests.
  @EnableAutoConfiguration(exclude = DataSourceAutoConfiguration.class)
  @RecordEvents
  static class Application {
    @Bean
    NobodyInjectsThese handlers() {
      return new NobodyInjectsThese();
    }
  }

  @EventSubscription("lazy-app")
  static class NobodyInjectsThese {
    @EventHandler
    void on(OrderPlaced order) {}
  }
}
