/**
 * Test your handlers: {@link io.eventbus.inmemory.InMemoryTransport} runs the real bus pipeline and
 * codec without a broker, {@link io.eventbus.testkit.EventRecorder} records and awaits what was
 * published, handled and dead-lettered on any transport, and {@link
 * io.eventbus.testkit.DeliveryLedger} checks that nothing confirmed was lost.
 *
 * <p>Everything in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.eventbus.testkit;

import org.jspecify.annotations.NullMarked;
