/**
 * The eventbus user API: declare events with {@link io.eventbus.EventType}, handle them with {@link
 * io.eventbus.EventHandler} methods, and publish and subscribe through an {@link
 * io.eventbus.EventBus}.
 *
 * <p>Everything in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.eventbus;

import org.jspecify.annotations.NullMarked;
