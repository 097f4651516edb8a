package io.eventbus.rabbitmq.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The binding keys of a subscription on the bus's topic exchange, answering which routing keys they
 * route, as the broker's topic exchange does: keys are split into words at dots; a word {@code *}
 * matches exactly one word, a word {@code #} zero or more; any other word (also {@code a*}) matches
 * only itself. The bus binds by event type names, which cannot contain either, so the usual key is
 * an exact one, found in a set; patterns (a transport subscribed through the SPI with one) are
 * matched word by word.
 *
 * <p>Immutable and thread-safe. {@link #matches} allocates nothing for exact keys.
 */
public final class BindingKeys {
  private final Set<String> exact;
  private final List<String[]> patterns;

  private BindingKeys(Set<String> exact, List<String[]> patterns) {
    this.exact = exact;
    this.patterns = patterns;
  }

  /** The keys {@code keys}, each bound on its own. */
  public static BindingKeys of(Collection<String> keys) {
    Set<String> exact = new HashSet<>();
    List<String[]> patterns = new ArrayList<>();
    for (String key : keys) {
      String[] words = words(key);
      if (isPattern(words)) {
        patterns.add(words);
      } else {
        exact.add(key);
      }
    }
    return new BindingKeys(Set.copyOf(exact), List.copyOf(patterns));
  }

  /** Whether one of the keys routes a message published with {@code routingKey}. */
  public boolean matches(String routingKey) {
    if (exact.contains(routingKey)) {
      return true;
    }
    if (patterns.isEmpty()) {
      return false;
    }
    String[] words = words(routingKey);
    for (String[] pattern : patterns) {
      if (matches(pattern, words)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code pattern} matches {@code words}: a table of whether the pattern from word {@code
   * i} on matches the words from {@code j} on, filled from the ends backwards, one row at a time.
   */
  static boolean matches(String[] pattern, String[] words) {
    boolean[] after = new boolean[words.length + 1]; // the row of i + 1; past the pattern's end
    after[words.length] = true;
    for (int i = pattern.length - 1; i >= 0; i--) {
      boolean[] row = new boolean[words.length + 1];
      String word = pattern[i];
      for (int j = words.length; j >= 0; j--) {
        if (word.equals("#")) {
          // Matches no word here, or takes words[j] and may take more.
          row[j] = after[j] || (j < words.length && row[j + 1]);
        } else {
          row[j] = j < words.length && (word.equals("*") || word.equals(words[j])) && after[j + 1];
        }
      }
      after = row;
    }
    return after[0];
  }

  /** The words of a key: none for the empty key, as the broker splits it. */
  private static String[] words(String key) {
    return key.isEmpty() ? new String[0] : key.split("\\.", -1);
  }

  private static boolean isPattern(String[] words) {
    for (String word : words) {
      if (word.equals("*") || word.equals("#")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    List<String> all = new ArrayList<>(exact);
    patterns.forEach(pattern -> all.add(String.join(".", pattern)));
    return all.toString();
  }
}
