package io.eventbus.spring.boot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * Runs a Spring test's bus on the in-memory transport {@link
 * io.eventbus.inmemory.InMemoryTransport} (the real bus, pipeline and codec, with RabbitMQ's
 * routing, retry and dead-letter semantics, without a broker) and {@linkplain RecordEvents records}
 * what it sends and settles. The same as setting {@code eventbus.transport=in-memory} and adding
 * {@link RecordEvents}.
 *
 * <pre>{@code
 * @SpringBootTest
 * @InMemoryEventBus
 * class ShippingTest {
 *   @Autowired EventPublisher publisher;
 *   @Autowired EventRecorder recorder;
 *   @Autowired InMemoryTransport transport;   // deadLetters(...), awaitIdle(...)
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 *
 * Spring caches test contexts: tests that share a cached context share its in-memory queues and its
 * recorder. Await what your test published (by event id or count), or use {@code DirtiesContext}
 * for a fresh one.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@RecordEvents
@TestPropertySource(properties = "eventbus.transport=in-memory")
public @interface InMemoryEventBus {}
