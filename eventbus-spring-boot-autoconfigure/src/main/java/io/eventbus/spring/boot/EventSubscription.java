package io.eventbus.spring.boot;

import io.eventbus.SubscriptionOptions;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the subscription that a bean's {@link io.eventbus.EventHandler} methods belong to, and
 * optionally sets its options.
 *
 * <pre>{@code
 * @Component
 * @EventSubscription(value = "shipping", concurrency = 4)
 * class ShippingHandlers {
 *   private final ShipmentRepository shipments;   // injected as usual
 *
 *   ShippingHandlers(ShipmentRepository shipments) {
 *     this.shipments = shipments;
 *   }
 *
 *   @EventHandler
 *   void on(OrderPlaced order, EventContext context) { ... }
 * }
 * }</pre>
 *
 * <p>Beans with the same subscription name form one subscription (one queue); at most one handler
 * per event class among them. A bean with {@code @EventHandler} methods but without this annotation
 * joins the subscription named by {@code eventbus.default-subscription} (default: {@code
 * spring.application.name}).
 *
 * <h2>Where options come from</h2>
 *
 * The {@link SubscriptionOptions} defaults, then this annotation's attributes that are set, then
 * the properties {@code eventbus.subscriptions.<name>.*}, then every {@link SubscriptionCustomizer}
 * bean: later sources win. Attributes left at their defaults here ({@code -1}, empty) leave the
 * option as it was. The name and the duration attributes may hold {@code ${...}} placeholders.
 *
 * <h2>Failures</h2>
 *
 * An invalid value fails the application's start with {@link
 * io.eventbus.EventBusConfigurationException} naming the bean and the attribute.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventSubscription {
  /**
   * The subscription's name, which is also its queue's name ({@code ${...}} placeholders are
   * resolved).
   */
  String value();

  /** How many events are handled at once; {@code -1} leaves the default (1). */
  int concurrency() default -1;

  /** How many unacknowledged events the broker may send ahead; {@code -1} leaves the default. */
  int prefetch() default -1;

  /** Whether and how events are kept in order; empty leaves the default ({@code NONE}). */
  Ordering[] ordering() default {};

  /**
   * The delays of redeliveries after in-process retries, as durations ({@code 500ms}, {@code 10s},
   * {@code PT1M}); empty leaves the default.
   */
  String[] redeliveryDelays() default {};

  /** The longest a handler attempt may take ({@code 5s}); empty: no limit. */
  String handlerTimeout() default "";

  /** How long ready messages may wait unserved before health reports a stall; empty: default. */
  String stallTimeout() default "";

  /**
   * Whether each event is handled once per subscription however often it is delivered: the handler
   * runs in a Spring-managed transaction on the application's {@code DataSource}, together with
   * eventbus-jdbc's inbox record of the event, and a duplicate is acknowledged without running it.
   * The handler's own JDBC work ({@code JdbcTemplate}, {@code @Transactional} methods, JPA on that
   * data source) and what it publishes through the injected {@code EventPublisher} (stored in the
   * outbox) join that transaction. Needs eventbus-jdbc and a {@code DataSource} bean; {@code
   * eventbus.subscriptions.<name>.idempotent} overrides it. Default false.
   */
  boolean idempotent() default false;

  /** {@link SubscriptionOptions.Ordering}, repeated so that an annotation can leave it unset. */
  enum Ordering {
    /** {@link SubscriptionOptions.Ordering#NONE}. */
    NONE,
    /** {@link SubscriptionOptions.Ordering#ORDERED}. */
    ORDERED,
    /** {@link SubscriptionOptions.Ordering#PARTITIONED}. */
    PARTITIONED
  }
}
