package io.eventbus;

/**
 * A handler's view of the delivery it is processing: the event's metadata and how often it was
 * tried. Passed as the optional second parameter of an {@link EventHandler} method.
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
}
