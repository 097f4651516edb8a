/**
 * eventbus in a Spring Boot application, for users: {@link
 * io.eventbus.spring.boot.EventSubscription} names the subscription of a bean's {@link
 * io.eventbus.EventHandler} methods, and the customizer interfaces adjust what the
 * auto-configuration builds. See docs/spring-boot.md.
 */
@NullMarked
package io.eventbus.spring.boot;

import org.jspecify.annotations.NullMarked;
