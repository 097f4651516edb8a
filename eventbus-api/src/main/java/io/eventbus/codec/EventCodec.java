package io.eventbus.codec;

/**
 * Turns event objects into message bodies and back. The default is {@link JacksonEventCodec}.
 *
 * <h2>Thread safety</h2>
 *
 * Implementations must be thread-safe: one instance serves every publish and delivery.
 *
 * <h2>Failures</h2>
 *
 * {@link #decode} may throw any exception for a body it cannot read; the pipeline turns it into an
 * {@link io.eventbus.EventDecodingException} and parks the message. It must never instantiate a
 * class other than {@code type} and the classes of its fields (no polymorphic type ids from the
 * wire).
 */
public interface EventCodec {
  /** The media type of encoded bodies, such as {@code application/json}. */
  String contentType();

  /** Encodes {@code event}. */
  byte[] encode(Object event) throws Exception;

  /** Decodes a body into an instance of {@code type}, which is a registered event class. */
  <T> T decode(byte[] body, Class<T> type) throws Exception;

  /**
   * The largest body this codec decodes, in bytes. The pipeline checks it before {@link #decode}
   * and parks a larger message as {@code too-large} without decoding it. The default is no limit of
   * the codec's own (the transport's inbound limit still applies).
   */
  default int maxBodyBytes() {
    return Integer.MAX_VALUE;
  }
}
