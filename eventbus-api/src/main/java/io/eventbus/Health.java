package io.eventbus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a bus can say about its own health: an overall {@link Status} and the parts it is made of
 * (connections, the publisher, each subscription), for a readiness probe or a status page.
 *
 * <pre>{@code
 * Health health = bus.health();
 * if (health.status() == Health.Status.DOWN) {
 *   log.warn("not ready: {}", health.problems());
 * }
 * }</pre>
 *
 * A readiness probe should fail on {@link Status#DOWN} only: {@link Status#DEGRADED} means the bus
 * works but something needs attention (for example the broker blocked publishing).
 *
 * <h2>Thread safety</h2>
 *
 * Immutable.
 *
 * <h2>Lifecycle</h2>
 *
 * A snapshot: it does not change when the bus does; ask again.
 *
 * @param status the worst status of the components, {@link Status#UP} if there are none
 * @param components the parts, in a stable order
 */
public record Health(Status status, List<Component> components) {

  /** How well a component (or the whole bus) works, from best to worst. */
  public enum Status {
    /** Works. */
    UP,
    /** The component does not report its health (a transport without support for it). */
    UNKNOWN,
    /**
     * Works, but impaired: for example publishes wait because the broker blocked them, or a
     * subscription paused because its circuit is open.
     */
    DEGRADED,
    /** Does not work: a connection is lost, a consumer is gone or stalled, the bus is closed. */
    DOWN;

    /** The worse of this and {@code other}. */
    public Status worse(Status other) {
      return other.ordinal() > ordinal() ? other : this;
    }
  }

  /**
   * One part of the bus.
   *
   * @param name what it is, such as {@code connection:publish} or {@code subscription:shipping}
   * @param status how well it works
   * @param detail why it is not {@link Status#UP}, in words; empty when it is
   * @param details figures behind the status, by name: {@code String}, {@code Long}, {@code
   *     Integer}, {@code Boolean} or {@code java.time.Duration} values, or counts by name as a
   *     {@code Map<String, Long>} (copied)
   */
  public record Component(String name, Status status, String detail, Map<String, Object> details) {
    /** Checks for nulls and copies the details, keeping their order. */
    public Component {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(detail, "detail");
      details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A copy under another name. */
    public Component withName(String name) {
      return new Component(name, status, detail, details);
    }
  }

  /** Checks for nulls and copies the components. */
  public Health {
    Objects.requireNonNull(status, "status");
    components = List.copyOf(components);
  }

  /** The health made of {@code components}: its status is the worst of theirs. */
  public static Health of(List<Component> components) {
    Status status = Status.UP;
    for (Component component : components) {
      status = status.worse(component.status());
    }
    return new Health(status, components);
  }

  /** The component called {@code name}, if there is one. */
  public Optional<Component> component(String name) {
    return components.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The components that are not {@link Status#UP}, worst first. */
  public List<Component> problems() {
    List<Component> problems = new ArrayList<>();
    for (Component component : components) {
      if (component.status() != Status.UP) {
        problems.add(component);
      }
    }
    problems.sort((a, b) -> b.status().compareTo(a.status()));
    return problems;
  }
}
