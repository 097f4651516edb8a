/**
 * For transport authors: the {@link io.eventbus.spi.Transport} a bus publishes and consumes
 * through, and the messages it exchanges with the bus.
 */
@NullMarked
package io.eventbus.spi;

import org.jspecify.annotations.NullMarked;
