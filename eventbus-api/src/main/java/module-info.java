/**
 * The transport-neutral core of eventbus: typed events and their registry, publishing, handlers,
 * the middleware chain, the codec, and the SPI that transports implement.
 *
 * <p>Exported: {@code io.eventbus} (users), {@code io.eventbus.middleware} (middleware authors),
 * {@code io.eventbus.codec} (codec authors), {@code io.eventbus.spi} (transport authors). The
 * implementation, {@code io.eventbus.internal}, is not exported.
 *
 * <p>An application on the module path opens its event and handler packages: to {@code
 * com.fasterxml.jackson.databind}, which reads and writes the events, and to this module, which
 * calls {@code @EventHandler} methods and reads {@code @PartitionKey} components that are not
 * public:
 *
 * <pre>
 * opens com.acme.orders.events to com.fasterxml.jackson.databind, io.eventbus;
 * </pre>
 */
module io.eventbus {
  requires transitive io.opentelemetry.api;
  requires transitive io.opentelemetry.context;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires io.github.resilience4j.retry;
  requires io.github.resilience4j.circuitbreaker;
  requires io.github.resilience4j.core;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.eventbus;
  exports io.eventbus.codec;
  exports io.eventbus.middleware;
  exports io.eventbus.spi;

  uses io.eventbus.spi.TransportProvider;
}
