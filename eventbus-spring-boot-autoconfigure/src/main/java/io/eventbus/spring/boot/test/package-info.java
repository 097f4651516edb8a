/**
 * For tests of Spring Boot applications that use eventbus: {@link
 * io.eventbus.spring.boot.test.InMemoryEventBus} swaps the in-memory transport in
 * (eventbus-inmemory, which the testkit brings), and {@link
 * io.eventbus.spring.boot.test.RecordEvents} records what the bus sends and settles into an {@link
 * io.eventbus.testkit.EventRecorder} bean. Needs eventbus-testkit and spring-test (test scope). See
 * docs/testing.md.
 */
@NullMarked
package io.eventbus.spring.boot.test;

import org.jspecify.annotations.NullMarked;
