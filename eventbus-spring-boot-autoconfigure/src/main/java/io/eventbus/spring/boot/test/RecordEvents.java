package io.eventbus.spring.boot.test;

import io.eventbus.testkit.EventRecorder;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Adds an {@link EventRecorder} bean to a Spring test's context; the auto-configured bus then
 * records into it everything it sends and settles, on whichever transport it uses. Inject it to
 * await and assert:
 *
 * <pre>{@code
 * @SpringBootTest(properties = "eventbus.rabbitmq.uri=amqp://guest:guest@localhost:5672")
 * @RecordEvents
 * class ShippingIT {
 *   @Autowired EventPublisher publisher;
 *   @Autowired EventRecorder recorder;
 * }
 * }</pre>
 *
 * An application that defines its own {@code EventRecorder} bean keeps it.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Import(RecordEvents.RecorderConfiguration.class)
public @interface RecordEvents {

  /** Registers the recorder. */
  @Configuration(proxyBeanMethods = false)
  class RecorderConfiguration {
    /** A recorder with the testkit's defaults. */
    @Bean
    @ConditionalOnMissingBean
    EventRecorder eventRecorder() {
      return EventRecorder.create();
    }
  }
}
