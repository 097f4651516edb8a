package io.eventbus.cli;

/**
 * The command-line tool's exit codes, for scripts. Documented in docs/operations.md and in {@code
 * eventbus --help}.
 */
final class ExitCodes {
  /** Done: everything asked for was done. */
  static final int OK = 0;

  /** Nothing matched: no parked event (or no subscription) fitted the selection. */
  static final int NOTHING_MATCHED = 1;

  /** The command line was wrong: an unknown option, a missing argument, a bad value. */
  static final int USAGE = 2;

  /**
   * The broker (or its management API) could not be reached or refused us: network, TLS,
   * authentication, permissions.
   */
  static final int CONNECTION = 3;

  /** Partly done: some events could not be replayed, some subscriptions were not found. */
  static final int PARTIAL = 4;

  /** Another operator is working on that dead-letter queue right now; nothing was changed. */
  static final int BUSY = 5;

  /** A discard was not confirmed at the prompt (or there was no one to ask and no --yes). */
  static final int NOT_CONFIRMED = 6;

  /** A failure of the tool itself. */
  static final int SOFTWARE = 70;

  private ExitCodes() {}

  /** The help section that lists them. */
  static final String HELP =
      "%nExit codes:%n"
          + "  0  done%n"
          + "  1  nothing matched%n"
          + "  2  usage error%n"
          + "  3  cannot reach the broker or its management API (network, TLS, login)%n"
          + "  4  partly done (some events not replayed, some subscriptions not found)%n"
          + "  5  another operator is working on that dead-letter queue; nothing changed%n"
          + "  6  discard not confirmed%n";
}
