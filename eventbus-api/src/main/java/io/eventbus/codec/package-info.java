/**
 * For codec authors and other transports: the {@link io.eventbus.codec.WireMessage} form of an
 * event, the CloudEvents attribute mapping, and the body {@link io.eventbus.codec.EventCodec}.
 */
@NullMarked
package io.eventbus.codec;

import org.jspecify.annotations.NullMarked;
