package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Holds the deliveries of a paused single-active-consumer subscription on their consumer threads
 * until it resumes or closes, or their channel dies (see {@link RabbitSubscription}'s "Pausing").
 *
 * <p>{@link #paused} is written under the subscription's lock; {@link #closing} turns away every
 * later delivery. Each change wakes the held deliveries, which look again why they wait.
 */
final class HoldGate {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  private volatile boolean paused;
  private volatile boolean closing;

  boolean paused() {
    return paused;
  }

  /** Pauses or resumes; resuming releases what is held. */
  void paused(boolean paused) {
    this.paused = paused;
    if (!paused) {
      releaseHeld();
    }
  }

  boolean closing() {
    return closing;
  }

  /** From now on deliveries are turned away; releases what is held. */
  void closing(boolean closing) {
    this.closing = closing;
    releaseHeld();
  }

  /** Wakes the held deliveries, which look again why they wait. */
  void releaseHeld() {
    lock.lock();
    try {
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Holds a delivery of {@code channel} while paused; true once it may go to the receiver, false if
   * the subscription is closing or the channel died meanwhile.
   */
  boolean awaitResumed(Channel channel) {
    lock.lock();
    try {
      while (paused && !closing && channel.isOpen()) {
        released.await();
      }
      return !closing && channel.isOpen();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }
}
