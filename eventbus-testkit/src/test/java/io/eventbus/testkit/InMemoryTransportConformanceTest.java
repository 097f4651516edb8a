package io.eventbus.testkit;

import io.eventbus.testkit.conformance.TransportConformance;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;

/** The conformance suite on {@link io.eventbus.inmemory.InMemoryTransport}. */
@EventBusTest(transport = TransportKind.IN_MEMORY)
class InMemoryTransportConformanceTest extends TransportConformance {}
