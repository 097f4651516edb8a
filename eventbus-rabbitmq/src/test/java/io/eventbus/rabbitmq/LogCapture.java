package io.eventbus.rabbitmq;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything the tests' SLF4J binding (slf4j-simple, which writes to whatever {@code System.err} is
 * at the time) and anything else prints to stderr and stdout while it is open, still passed
 * through.
 */
final class LogCapture implements AutoCloseable {
  private final PrintStream originalErr = System.err;
  private final PrintStream originalOut = System.out;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private LogCapture() {
    System.setErr(new PrintStream(tee(originalErr), true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(tee(originalOut), true, StandardCharsets.UTF_8));
  }

  static LogCapture start() {
    return new LogCapture();
  }

  private OutputStream tee(OutputStream original) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        try {
          original.write(b);
        } catch (java.io.IOException ignored) {
          // the console went away
        }
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        synchronized (captured) {
          captured.write(bytes, offset, length);
        }
        try {
          original.write(bytes, offset, length);
        } catch (java.io.IOException ignored) {
          // the console went away
        }
      }
    };
  }

  /** What was printed so far. */
  String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.err.flush();
    System.out.flush();
    System.setErr(originalErr);
    System.setOut(originalOut);
  }
}
