/**
 * Request-reply over RabbitMQ: the requester on direct reply-to, and the responders' request
 * queues. Implementation details; not an API.
 */
@NullMarked
package io.eventbus.rabbitmq.internal.rpc;

import org.jspecify.annotations.NullMarked;
