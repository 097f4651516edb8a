/** Implementation details of the RabbitMQ transport; not an API. */
@NullMarked
package io.eventbus.rabbitmq.internal;

import org.jspecify.annotations.NullMarked;
