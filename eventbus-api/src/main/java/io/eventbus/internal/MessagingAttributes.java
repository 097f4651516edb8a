package io.eventbus.internal;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Every attribute key eventbus puts on spans and metrics, in one place: those of the OpenTelemetry
 * messaging semantic conventions (development status, as of semantic conventions 1.3x: operation
 * types {@code send}, {@code process}, {@code settle}) and our own, under {@code eventbus.}.
 * System-specific keys are not here: a transport names them in its {@link
 * io.eventbus.spi.TelemetryNames}.
 */
public final class MessagingAttributes {
  private MessagingAttributes() {}

  public static final AttributeKey<String> MESSAGING_SYSTEM =
      AttributeKey.stringKey("messaging.system");
  public static final AttributeKey<String> DESTINATION_NAME =
      AttributeKey.stringKey("messaging.destination.name");
  public static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  public static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("messaging.message.conversation_id");
  public static final AttributeKey<Long> BODY_SIZE =
      AttributeKey.longKey("messaging.message.body.size");
  public static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  public static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  public static final AttributeKey<String> CONSUMER_GROUP =
      AttributeKey.stringKey("messaging.consumer.group.name");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  public static final AttributeKey<String> CLOUDEVENTS_TYPE =
      AttributeKey.stringKey("cloudevents.event_type");

  /** The attempt number as {@link io.eventbus.EventContext#attempt()} counts it. */
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("eventbus.attempt");

  /** Whether the broker delivered the message before without an acknowledgement. */
  public static final AttributeKey<Boolean> REDELIVERED =
      AttributeKey.booleanKey("eventbus.redelivered");

  /** How many delayed redeliveries the message went through before this delivery. */
  public static final AttributeKey<Long> REDELIVERIES =
      AttributeKey.longKey("eventbus.redeliveries");

  /** How the delivery was settled: {@code ack}, {@code redeliver}, {@code dead_letter}, … */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("eventbus.outcome");

  /** The dead-letter reason category ({@code handler-failed}, {@code decoding-failed}, …). */
  public static final AttributeKey<String> DEAD_LETTER_REASON =
      AttributeKey.stringKey("eventbus.dead_letter.reason");

  /** The delay of a scheduled redelivery, in milliseconds. */
  public static final AttributeKey<Long> REDELIVERY_DELAY_MS =
      AttributeKey.longKey("eventbus.redelivery.delay_ms");

  /** A subscription's circuit state: {@code closed}, {@code open}, {@code half_open}. */
  public static final AttributeKey<String> CIRCUIT_STATE =
      AttributeKey.stringKey("eventbus.circuit.state");

  /** Why a delivery waited: {@code circuit_open} or {@code dependency_unavailable}. */
  public static final AttributeKey<String> DEFERRAL_REASON =
      AttributeKey.stringKey("eventbus.deferral.reason");

  /** Which limit a delivery waited for: {@code rate} or {@code concurrency}. */
  public static final AttributeKey<String> LIMITER = AttributeKey.stringKey("eventbus.limiter");

  public static final String OPERATION_SEND = "send";
  public static final String OPERATION_PROCESS = "process";
  public static final String OPERATION_SETTLE = "settle";
  public static final String NAME_DEAD_LETTER = "dead_letter";
  public static final String NAME_REDELIVER = "redeliver";
}
