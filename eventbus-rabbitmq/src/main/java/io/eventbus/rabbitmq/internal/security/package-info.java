/**
 * TLS and credentials behind {@code TlsSettings} and {@code CredentialsSource}: how they are put on
 * an amqp-client {@code ConnectionFactory}, and how handshake failures become typed exceptions. Not
 * an API.
 */
@NullMarked
package io.eventbus.rabbitmq.internal.security;

import org.jspecify.annotations.NullMarked;
