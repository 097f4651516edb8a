/**
 * JUnit 5 support: {@link io.eventbus.testkit.junit5.EventBusTest} and {@link
 * io.eventbus.testkit.junit5.EventBusExtension} give tests an {@link
 * io.eventbus.testkit.junit5.EventBusFixture}: transports on memory or on a real broker, with
 * isolated names that are cleaned up, and an {@link io.eventbus.testkit.EventRecorder}.
 */
@NullMarked
package io.eventbus.testkit.junit5;

import org.jspecify.annotations.NullMarked;
