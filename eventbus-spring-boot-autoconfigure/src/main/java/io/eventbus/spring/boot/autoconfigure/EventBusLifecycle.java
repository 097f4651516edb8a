package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventHandler;
import io.eventbus.Handlers;
import io.eventbus.Subscription;
import io.eventbus.SubscriptionOptions;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.autoconfigure.EventHandlerBeans.HandlerBean;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Starts the subscriptions of the {@link EventHandler} (and {@link io.eventbus.RequestHandler})
 * beans when the application context starts, and shuts the bus down gracefully when it stops.
 *
 * <h2>Lifecycle</h2>
 *
 * Its {@link #PHASE} is below the web server's graceful shutdown and above the web server itself,
 * so on start it subscribes after every singleton exists and after the web server started; on stop
 * it runs after the web server stopped taking requests (whose handling may publish), and before the
 * server and the beans go away. {@link #stop()} stops every subscription at once (no new
 * deliveries; handlers in flight finish, or are requeued after the transport's shutdown timeout),
 * then stops the outbox's relay if there is one (a batch in flight finishes; unsent rows wait in
 * the table for the next start), then closes the bus, which waits for the publishes still
 * unconfirmed. The bus cannot start again in the same context.
 *
 * <h2>Thread safety</h2>
 *
 * Start and stop are called by the context, one at a time; {@link #isRunning()} from anywhere.
 *
 * <h2>Failures</h2>
 *
 * A subscription that cannot start (a malformed handler method, two handlers for one event class, a
 * bad option, the broker refusing a queue) stops those already started and fails the context's
 * start with the cause.
 */
final class EventBusLifecycle implements SmartLifecycle {
  /**
   * Below {@code WebServerGracefulShutdownLifecycle} ({@code DEFAULT_PHASE - 1024}) and above
   * {@code WebServerStartStopLifecycle} ({@code DEFAULT_PHASE - 2048}).
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

  private static final Logger log = LoggerFactory.getLogger(EventBusLifecycle.class);

  private final EventBus bus;
  private final EventHandlerBeans handlerBeans;
  private final SubscriptionOptionsFactory optionsFactory;
  private final @Nullable String defaultSubscription;
  private final Set<String> configuredNames;
  private final @Nullable JdbcMessaging jdbc;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private volatile boolean running;
  private volatile boolean stopped;

  EventBusLifecycle(
      EventBus bus,
      EventHandlerBeans handlerBeans,
      SubscriptionOptionsFactory optionsFactory,
      @Nullable String defaultSubscription,
      Set<String> configuredNames,
      @Nullable JdbcMessaging jdbc) {
    this.bus = bus;
    this.jdbc = jdbc;
    this.configuredNames = Set.copyOf(configuredNames);
    this.handlerBeans = handlerBeans;
    this.optionsFactory = optionsFactory;
    this.defaultSubscription = defaultSubscription;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    if (stopped) {
      throw new IllegalStateException(
          "eventbus was stopped and its bus closed; it does not start again in the same context");
    }
    Map<String, Planned> plan = plan(handlerBeans.beans());
    for (String configured : configuredNames) {
      if (!plan.containsKey(configured)) {
        log.warn(
            "eventbus.subscriptions.{} names no subscription of this application ({}); a name"
                + " with dots needs brackets: eventbus.subscriptions[order-flow.shipping].concurrency",
            configured,
            plan.keySet());
      }
    }
    try {
      for (Planned planned : plan.values()) {
        Handlers.Builder handlers = Handlers.builder();
        planned.targets.forEach(handlers::scan);
        subscriptions.add(bus.subscribe(planned.options, handlers.build()));
      }
    } catch (RuntimeException e) {
      closeSubscriptions();
      throw e;
    }
    running = true;
    if (!plan.isEmpty()) {
      log.info("eventbus started {} subscription(s): {}", plan.size(), plan.keySet());
    }
  }

  /** The subscriptions to start, by name, with their options and handler objects. */
  private Map<String, Planned> plan(List<HandlerBean> beans) {
    Map<String, List<HandlerBean>> byName = new LinkedHashMap<>();
    Map<String, EventSubscription> annotations = new LinkedHashMap<>();
    Map<String, String> annotatedBy = new LinkedHashMap<>();
    for (HandlerBean bean : beans) {
      EventSubscription annotation =
          AnnotatedElementUtils.findMergedAnnotation(bean.userClass(), EventSubscription.class);
      String name;
      if (annotation != null) {
        name = optionsFactory.name(annotation);
        EventSubscription earlier = annotations.putIfAbsent(name, annotation);
        if (earlier != null && !sameOptions(earlier, annotation)) {
          throw new EventBusConfigurationException(
              "Beans '"
                  + annotatedBy.get(name)
                  + "' and '"
                  + bean.name()
                  + "' both declare @EventSubscription(\""
                  + name
                  + "\") with different options: set them on one bean, or in"
                  + " eventbus.subscriptions."
                  + name
                  + ".*");
        }
        annotatedBy.putIfAbsent(name, bean.name());
      } else if (defaultSubscription != null && !defaultSubscription.isBlank()) {
        name = defaultSubscription;
      } else {
        throw new EventBusConfigurationException(
            "Bean '"
                + bean.name()
                + "' ("
                + bean.userClass().getName()
                + ") has @EventHandler methods but no subscription: annotate its class with"
                + " @EventSubscription(\"<name>\"), or set eventbus.default-subscription (or"
                + " spring.application.name)");
      }
      byName.computeIfAbsent(name, key -> new ArrayList<>()).add(bean);
    }
    Map<String, Planned> plan = new LinkedHashMap<>();
    byName.forEach(
        (name, members) -> {
          String source =
              annotatedBy.getOrDefault(name, members.get(0).name())
                  + (members.size() > 1 ? " and " + (members.size() - 1) + " more bean(s)" : "");
          SubscriptionOptions options =
              optionsFactory.options(name, annotations.get(name), "bean '" + source + "'");
          List<Object> targets = members.stream().map(EventBusLifecycle::target).toList();
          plan.put(name, new Planned(options, targets));
        });
    return plan;
  }

  private static boolean sameOptions(EventSubscription a, EventSubscription b) {
    return a.idempotent() == b.idempotent()
        && a.concurrency() == b.concurrency()
        && a.prefetch() == b.prefetch()
        && java.util.Arrays.equals(a.ordering(), b.ordering())
        && java.util.Arrays.equals(a.redeliveryDelays(), b.redeliveryDelays())
        && a.handlerTimeout().equals(b.handlerTimeout())
        && a.stallTimeout().equals(b.stallTimeout());
  }

  /**
   * The object to scan: the bean itself, so that a class-based (CGLIB) proxy's advice runs around
   * each handler call; the target of an interface-based (JDK) proxy, whose class has no handler
   * methods.
   */
  private static Object target(HandlerBean bean) {
    Object object = bean.bean();
    if (AopUtils.isJdkDynamicProxy(object)) {
      Object target = AopProxyUtils.getSingletonTarget(object);
      if (target == null) {
        throw new EventBusConfigurationException(
            "Bean '" + bean.name() + "' is an interface-based proxy without a single target");
      }
      log.warn(
          "Bean '{}' is an interface-based proxy: its handler methods are called on the"
              + " target, without the proxy's advice (use class-based proxies to keep it)",
          bean.name());
      return target;
    }
    if (AopUtils.isCglibProxy(object)) {
      ReflectionUtils.doWithMethods(
          bean.userClass(),
          method -> {
            if (Modifier.isPrivate(method.getModifiers())
                || Modifier.isFinal(method.getModifiers())) {
              throw new EventBusConfigurationException(
                  "Handler method "
                      + method
                      + " of bean '"
                      + bean.name()
                      + "' is private or final, but the bean is a proxy that cannot override it:"
                      + " make it package-private, protected or public");
            }
          },
          EventHandlerBeans::isHandlerMethod);
    }
    return object;
  }

  @Override
  public void stop() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      running = false;
    }
    long start = System.nanoTime();
    closeSubscriptions();
    if (jdbc != null) {
      try {
        jdbc.stopOutbox();
      } catch (RuntimeException e) {
        log.warn("The outbox's relay did not stop cleanly", e);
      }
    }
    bus.close();
    log.info("eventbus stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  /** Closes every subscription at once, so that their waits for handlers in flight overlap. */
  private void closeSubscriptions() {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Subscription subscription : subscriptions) {
      closing.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  subscription.close();
                } catch (RuntimeException e) {
                  log.warn("Subscription {} did not close cleanly", subscription.name(), e);
                }
              },
              task -> {
                Thread thread = new Thread(task, "eventbus-stop-" + subscription.name());
                thread.setDaemon(true);
                thread.start();
              }));
    }
    closing.forEach(CompletableFuture::join);
    subscriptions.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** The subscriptions started, by name (for tests and the health contributor). */
  synchronized List<String> subscriptionNames() {
    return subscriptions.stream().map(Subscription::name).toList();
  }

  private record Planned(SubscriptionOptions options, List<Object> targets) {
    Planned {
      Objects.requireNonNull(options);
    }
  }
}
