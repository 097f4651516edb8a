/**
 * For middleware authors: the {@link io.eventbus.middleware.Middleware} chain and the {@link
 * io.eventbus.middleware.DeliveryContext} it passes along.
 */
@NullMarked
package io.eventbus.middleware;

import org.jspecify.annotations.NullMarked;
