/**
 * The in-memory transport: {@link io.eventbus.inmemory.InMemoryTransport} gives the real bus, its
 * pipeline and its codec the RabbitMQ transport's semantics without a broker. For tests (the
 * testkit builds on it), demos and fallbacks; it has no test library on its class path.
 *
 * <p>Everything in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.eventbus.inmemory;

import org.jspecify.annotations.NullMarked;
