/**
 * The auto-configuration behind {@code eventbus-spring-boot-starter}: the properties under {@code
 * eventbus.*}, the conditional beans, the lifecycle that subscribes handler beans, and the health
 * contributor. Exclude {@link io.eventbus.spring.boot.autoconfigure.EventBusAutoConfiguration} to
 * turn it all off.
 */
@NullMarked
package io.eventbus.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
