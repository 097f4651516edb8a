package io.eventbus;

/**
 * A handler's view of the delivery it is processing: the event's metadata, how often it was tried,
 * and the bus to publish follow-up events with. Passed as the optional second parameter of an
 * {@link EventHandler} method and of every handler given to {@link Handlers.Builder#on}.
 *
 * <pre>{@code
 * @EventHandler
 * void on(OrderPlaced order, EventContext context) {
 *   reserve(order);
 *   context.publisher().publishAndWait(new StockReserved(order.orderId()));
 * }
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable; valid only during the handler call it was passed to.
 */
public interface EventContext {
  /** The event's id, type, source, time and further attributes. */
  EventMetadata metadata();

  /** The name of the subscription this delivery came through. */
  String subscription();

  /** Which attempt this is: 1 for the first, 2 after one failure, and so on. */
  int attempt();

  /**
   * Whether the broker delivered this message before (to this or another consumer) without it being
   * acknowledged. A redelivered event may already have been handled: deduplicate by {@code
   * metadata().id()}.
   */
  boolean redelivered();

  /**
   * The bus that delivered this event, to publish follow-up events with: the same {@link
   * EventPublisher} as the {@link EventBus} itself (its registry, source, deadlines and confirms).
   * Call {@link EventPublisher#publishAndWait publishAndWait}, or wait for the stage, before the
   * handler returns: the incoming event is acknowledged only after the handler returns, so a
   * follow-up the broker did not confirm fails the handler, and the incoming event is retried (and
   * may publish its follow-up twice: consumers deduplicate by id). The publisher stays usable after
   * the handler returns, like the bus.
   *
   * @throws IllegalStateException if this context was not made by a bus (a {@link
   *     io.eventbus.middleware.DeliveryContext} a test made without a publisher)
   */
  EventPublisher publisher();
}
