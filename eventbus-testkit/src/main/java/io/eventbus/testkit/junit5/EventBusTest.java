package io.eventbus.testkit.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class with the {@link EventBusExtension}: its test and lifecycle methods may take an
 * {@link EventBusFixture}, an {@link io.eventbus.testkit.EventRecorder}, a {@link
 * io.eventbus.testkit.DeliveryLedger} or (for {@link TransportKind#BROKER}) a {@link
 * io.eventbus.testkit.broker.Broker} parameter.
 *
 * <pre>{@code
 * @EventBusTest(transport = TransportKind.BROKER)
 * class ShippingIT {
 *   @Test
 *   void shipsPlacedOrders(EventBusFixture fixture) { ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(EventBusExtension.class)
public @interface EventBusTest {
  /** Where messages travel (default in memory). */
  TransportKind transport() default TransportKind.IN_MEMORY;
}
