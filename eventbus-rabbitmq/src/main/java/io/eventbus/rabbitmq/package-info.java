/**
 * The RabbitMQ transport: {@link io.eventbus.rabbitmq.RabbitTransport} and its {@link
 * io.eventbus.rabbitmq.RabbitTopology}.
 */
@NullMarked
package io.eventbus.rabbitmq;

import org.jspecify.annotations.NullMarked;
