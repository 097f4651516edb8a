package io.eventbus.rabbitmq;

/** The state of one of the transport's connections, as {@link TransportStatus} reports it. */
public enum ConnectionState {
  /** Connected and accepting traffic. */
  CONNECTED,
  /**
   * Connected, but the broker blocked it under a resource alarm (memory or disk): publishes wait in
   * the buffer until the alarm clears or their deadline passes.
   */
  BLOCKED,
  /** Lost; the transport is reconnecting, trying every configured address in turn. */
  RECOVERING,
  /** Closed by the application. */
  CLOSED
}
