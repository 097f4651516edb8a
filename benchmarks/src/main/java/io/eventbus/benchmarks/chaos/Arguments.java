package io.eventbus.benchmarks.chaos;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} arguments of the chaos processes; every one is required. */
final class Arguments {
  private final Map<String, String> values = new HashMap<>();

  Arguments(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      values.put(args[i], args[i + 1]);
    }
  }

  String text(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing " + name);
    }
    return value;
  }

  int number(String name) {
    return Integer.parseInt(text(name));
  }

  /** The value of {@code name}, or {@code otherwise} when it is not given. */
  String text(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }
}
