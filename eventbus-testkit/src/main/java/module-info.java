/**
 * The eventbus testkit: recording and awaiting, AssertJ assertions, JUnit 5 fixtures with broker
 * provisioning, fault injection, and the transport conformance suite. Every package is exported.
 *
 * <p>The conformance suite's scenarios are package-private test methods and its event types
 * package-private records, so its package is open to JUnit, which runs them, and to Jackson, which
 * encodes the events.
 */
module io.eventbus.testkit {
  requires transitive io.eventbus;
  requires transitive io.eventbus.inmemory;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires org.junit.jupiter.params;
  requires org.slf4j;
  requires static transitive org.jspecify;
  // Optional: only TestCertificateAuthority (through CertificateSigner) uses it.
  requires static org.bouncycastle.pkix;
  requires static org.bouncycastle.provider;

  exports io.eventbus.testkit;
  exports io.eventbus.testkit.assertj;
  exports io.eventbus.testkit.broker;
  exports io.eventbus.testkit.conformance;
  exports io.eventbus.testkit.fault;
  exports io.eventbus.testkit.junit5;

  opens io.eventbus.testkit.conformance to
      org.junit.platform.commons,
      io.eventbus,
      com.fasterxml.jackson.databind;
}
