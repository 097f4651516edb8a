package io.eventbus.samples.orders.monitor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Shows a block of lines that refreshes itself. On a terminal the block is redrawn in place with
 * ANSI cursor movements; elsewhere (a pipe, a CI log) each refresh is printed below the last one,
 * less often, so the log stays short and readable.
 *
 * <p>On a terminal, anything written to {@link #guard(PrintStream) the guarded} error stream (log
 * lines) first erases the block, so it lands above the next refresh instead of tearing it.
 */
public final class LiveView implements AutoCloseable {
  private final PrintStream out;
  private final boolean ansi;
  private final Supplier<List<String>> lines;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "order-flow-view");
            thread.setDaemon(true);
            return thread;
          });
  private int linesOnScreen;

  private LiveView(PrintStream out, boolean ansi, Supplier<List<String>> lines) {
    this.out = out;
    this.ansi = ansi;
    this.lines = lines;
  }

  /**
   * Starts refreshing: every {@code every} on a terminal ({@code ansi}), every third period
   * elsewhere. {@code lines} is called on the view's thread.
   */
  public static LiveView start(
      PrintStream out, boolean ansi, Duration every, Supplier<List<String>> lines) {
    LiveView view = new LiveView(out, ansi, Objects.requireNonNull(lines, "lines"));
    long period = ansi ? every.toMillis() : every.toMillis() * 3;
    view.timer.scheduleWithFixedDelay(view::refreshQuietly, period, period, TimeUnit.MILLISECONDS);
    return view;
  }

  /** Renders and shows the block now. */
  public void refresh() {
    List<String> block = lines.get(); // outside the lock: rendering may ask the broker
    synchronized (this) {
      erase();
      block.forEach(out::println);
      out.flush();
      linesOnScreen = ansi ? block.size() : 0;
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      synchronized (this) {
        erase();
        out.println("(live view: " + e.getMessage() + ")");
      }
    }
  }

  /** Moves the cursor to the start of the block and clears it; the next output replaces it. */
  private void erase() {
    if (linesOnScreen > 0) {
      out.print("\033[" + linesOnScreen + "A\r\033[J");
      linesOnScreen = 0;
    }
  }

  /**
   * {@code err} wrapped so that, on a terminal, writing to it first erases the block. Use it as
   * {@code System.err} while the view runs.
   */
  public PrintStream guard(PrintStream err) {
    if (!ansi) {
      return err;
    }
    return new PrintStream(
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] bytes, int offset, int length) {
            synchronized (LiveView.this) {
              erase();
              err.write(bytes, offset, length);
              err.flush();
            }
          }

          @Override
          public void flush() throws IOException {
            err.flush();
          }
        },
        true);
  }

  /** Stops refreshing, after showing the block one last time. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    refresh();
  }
}
