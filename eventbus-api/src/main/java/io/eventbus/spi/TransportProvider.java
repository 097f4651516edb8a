package io.eventbus.spi;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes transports for a broker URI, so that code which must not depend on a transport module (the
 * testkit's broker fixture, tools) can still use one: {@code eventbus-rabbitmq} provides one for
 * {@code amqp://} and {@code amqps://}. Providers are found with {@link ServiceLoader}.
 *
 * <pre>{@code
 * TransportProvider provider = TransportProvider.forUri(uri).orElseThrow();
 * Transport transport = provider.create(TransportSettings.builder(uri).exchange("it").build());
 * }</pre>
 *
 * <h2>For transport authors</h2>
 *
 * Implement this with a public class and a public no-argument constructor, and declare it both in
 * {@code module-info.java} ({@code provides io.eventbus.spi.TransportProvider with ...;}) and in
 * {@code META-INF/services/io.eventbus.spi.TransportProvider}, so that it is found on the module
 * path and on the class path.
 *
 * <h2>Thread safety</h2>
 *
 * Implementations are stateless and thread-safe.
 */
public interface TransportProvider {
  /** A short name for messages, such as {@code rabbitmq}. */
  String name();

  /** The URI schemes this provider serves, lower case, such as {@code amqp} and {@code amqps}. */
  List<String> schemes();

  /**
   * A new transport with {@code settings}; the caller owns it (usually by giving it to a bus).
   *
   * @throws io.eventbus.EventBusException if it cannot be made, for example if the broker does not
   *     answer
   */
  Transport create(TransportSettings settings);

  /**
   * An admin for what transports with {@code settings} declared on the broker.
   *
   * @throws io.eventbus.EventBusException if the broker cannot be reached
   */
  TransportAdmin admin(TransportSettings settings);

  /** The providers on the class path or module path, in {@link ServiceLoader} order. */
  static List<TransportProvider> installed() {
    List<TransportProvider> providers = new ArrayList<>();
    ServiceLoader.load(TransportProvider.class).forEach(providers::add);
    return List.copyOf(providers);
  }

  /** The first installed provider that serves {@code uri}'s scheme, if any. */
  static Optional<TransportProvider> forUri(String uri) {
    String scheme = URI.create(uri).getScheme();
    if (scheme == null) {
      return Optional.empty();
    }
    String wanted = scheme.toLowerCase(Locale.ROOT);
    return installed().stream().filter(p -> p.schemes().contains(wanted)).findFirst();
  }
}
