package io.eventbus.internal;

import io.eventbus.spi.TransportSubscription;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's handle on its own transport subscription, to pause and resume it. The pipeline is
 * built before {@code Transport.subscribe} returns the subscription, and deliveries may arrive
 * before it does, so the handle is attached afterwards: a pause asked for before that is applied on
 * {@link #attach}. It keeps the wanted state and applies only changes, so callers may ask as often
 * as they like.
 *
 * <p>Thread-safe: every method holds this object's monitor, also while the transport pauses or
 * resumes (a transport never calls back into it).
 */
final class SubscriptionControl {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionControl.class);

  private final String subscription;
  private @Nullable TransportSubscription target;
  private boolean wantPaused;
  private boolean paused;
  private boolean pausable = true;
  private boolean detached;

  SubscriptionControl(String subscription) {
    this.subscription = subscription;
  }

  /** Attaches the running subscription and applies the wanted state to it. */
  synchronized void attach(TransportSubscription running) {
    if (detached) {
      return;
    }
    this.target = running;
    apply();
  }

  /** Asks the transport to stop handing over messages (at once if attached). */
  synchronized void pause() {
    wantPaused = true;
    apply();
  }

  /** Asks the transport to hand over messages again. */
  synchronized void resume() {
    wantPaused = false;
    apply();
  }

  /**
   * Pauses or resumes as {@code wanted} says when asked here, under this object's monitor: callers
   * that change the wanted state and then sync may race, and whichever syncs last reads the latest
   * state.
   */
  synchronized void sync(BooleanSupplier wanted) {
    wantPaused = wanted.getAsBoolean();
    apply();
  }

  /** Whether the transport is paused now (false before attach, and if it cannot pause). */
  synchronized boolean paused() {
    return paused;
  }

  /** Whether the transport can pause: true until it said otherwise. */
  synchronized boolean pausable() {
    return pausable;
  }

  /** Forgets the subscription: it is closing and is paused or closed by its owner from now on. */
  synchronized void detach() {
    detached = true;
    target = null;
  }

  private void apply() {
    TransportSubscription running = target;
    if (running == null || wantPaused == paused) {
      return;
    }
    try {
      if (wantPaused) {
        if (pausable) {
          paused = running.pause();
          if (!paused) {
            pausable = false;
            log.info(
                "The transport of subscription {} cannot pause; its deliveries wait in the pipeline"
                    + " instead",
                subscription);
          }
        }
      } else {
        running.resume();
        paused = false;
      }
    } catch (RuntimeException e) {
      log.warn(
          "Subscription {} could not be {}: {}",
          subscription,
          wantPaused ? "paused" : "resumed",
          e.toString());
    }
  }
}
