/**
 * The order flow's events as this service declares them: its own classes, wire-compatible with the
 * plain sample's because the type names ({@code order.placed.v1}, ...) and the fields are the same.
 * Services share the wire contract (docs/wire-format.md), not a jar.
 */
@NullMarked
package io.eventbus.samples.orders.spring.events;

import org.jspecify.annotations.NullMarked;
