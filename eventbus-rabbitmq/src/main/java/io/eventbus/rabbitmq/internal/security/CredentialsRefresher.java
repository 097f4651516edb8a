package io.eventbus.rabbitmq.internal.security;

import com.rabbitmq.client.impl.CredentialsProvider;
import com.rabbitmq.client.impl.CredentialsRefreshService;
import io.eventbus.rabbitmq.internal.DaemonThreads;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews expiring credentials before they expire and hands them to every open connection that uses
 * them (amqp-client's registration callback sends {@code connection.update-secret}). Credentials
 * that do not expire are never renewed here: amqp-client asks for them again at every connection
 * start (see {@link SourceCredentialsProvider#getTimeBeforeExpiration()}).
 *
 * <p>Its one daemon thread ({@code eventbus-credentials-N}) exists only while some connection with
 * expiring credentials is open, so it needs no closing: connections unregister when they close.
 */
public final class CredentialsRefresher implements CredentialsRefreshService {
  private static final Logger log = LoggerFactory.getLogger(CredentialsRefresher.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final ScheduledThreadPoolExecutor scheduler;
  private final Map<CredentialsProvider, State> states = new ConcurrentHashMap<>();

  private static final class State {
    final Map<String, Callable<Boolean>> registrations = new ConcurrentHashMap<>();
    @Nullable ScheduledFuture<?> next;
    Duration retry = FIRST_RETRY;
  }

  public CredentialsRefresher() {
    scheduler = new ScheduledThreadPoolExecutor(1, new DaemonThreads("credentials"));
    scheduler.setKeepAliveTime(10, TimeUnit.SECONDS);
    scheduler.allowCoreThreadTimeOut(true);
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /** Due when the provider says the credentials should be replaced now. */
  @Override
  public boolean isApproachingExpiration(Duration timeBeforeExpiration) {
    return timeBeforeExpiration == null
        || timeBeforeExpiration.isNegative()
        || timeBeforeExpiration.isZero();
  }

  @Override
  public String register(CredentialsProvider provider, Callable<Boolean> refreshAction) {
    String id = UUID.randomUUID().toString();
    if (provider instanceof SourceCredentialsProvider source && !source.expiring()) {
      return id;
    }
    State state = states.computeIfAbsent(provider, p -> new State());
    synchronized (state) {
      state.registrations.put(id, refreshAction);
      if (state.next == null) {
        schedule(provider, state, provider.getTimeBeforeExpiration());
      }
    }
    return id;
  }

  @Override
  public void unregister(CredentialsProvider provider, String registrationId) {
    State state = states.get(provider);
    if (state == null) {
      return;
    }
    synchronized (state) {
      state.registrations.remove(registrationId);
      if (state.registrations.isEmpty()) {
        stop(provider, state);
      }
    }
  }

  private void stop(CredentialsProvider provider, State state) {
    if (state.next != null) {
      state.next.cancel(false);
      state.next = null;
    }
    states.remove(provider, state);
  }

  private void schedule(CredentialsProvider provider, State state, @Nullable Duration delay) {
    long nanos = delay == null || delay.isNegative() ? 0 : delay.toNanos();
    state.next = scheduler.schedule(() -> renew(provider, state), nanos, TimeUnit.NANOSECONDS);
  }

  private void renew(CredentialsProvider provider, State state) {
    try {
      provider.refresh();
    } catch (RuntimeException e) {
      Duration retry;
      synchronized (state) {
        retry = state.retry;
        state.retry =
            retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
        if (!state.registrations.isEmpty()) {
          schedule(provider, state, retry);
        }
      }
      log.warn(
          "Could not renew the broker credentials ({}); trying again in {} ms: {}",
          provider,
          retry.toMillis(),
          e.getMessage());
      return;
    }
    int updated = 0;
    for (Map.Entry<String, Callable<Boolean>> registration : state.registrations.entrySet()) {
      try {
        if (Boolean.TRUE.equals(registration.getValue().call())) {
          updated++;
        } else {
          state.registrations.remove(registration.getKey());
        }
      } catch (Exception e) {
        log.warn(
            "A connection did not take the renewed credentials: {}", e.getClass().getSimpleName());
        state.registrations.remove(registration.getKey());
      }
    }
    log.info("Renewed the broker credentials; {} open connections updated", updated);
    synchronized (state) {
      state.retry = FIRST_RETRY;
      if (state.registrations.isEmpty()) {
        stop(provider, state);
      } else {
        // A token that lives under a second must not turn this into a busy loop.
        Duration next = provider.getTimeBeforeExpiration();
        schedule(
            provider, state, next == null || next.compareTo(FIRST_RETRY) < 0 ? FIRST_RETRY : next);
      }
    }
  }
}
