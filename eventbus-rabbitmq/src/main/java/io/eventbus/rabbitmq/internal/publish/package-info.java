/**
 * The confirming publisher of the RabbitMQ transport and its parts; not an API. Only {@link
 * io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher} is used outside this package.
 */
@NullMarked
package io.eventbus.rabbitmq.internal.publish;

import org.jspecify.annotations.NullMarked;
