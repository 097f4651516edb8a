/**
 * Fault injection for resilience tests: {@link io.eventbus.testkit.fault.ConnectionCutter}, a
 * loopback TCP proxy between a bus and its broker that cuts, refuses, freezes and delays
 * connections.
 */
@NullMarked
package io.eventbus.testkit.fault;

import org.jspecify.annotations.NullMarked;
