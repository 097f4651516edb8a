package io.eventbus.spi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The partition function of the wire format (docs/wire-format.md): a key's partition is the CRC-32
 * (IEEE 802.3, as {@code java.util.zip.CRC32} and zlib compute it) of its UTF-8 bytes, as an
 * unsigned number, modulo the partition count. Every transport, and every producer in another
 * language, computes it the same way, so that equal keys always land in the same partition.
 *
 * <pre>{@code
 * int partition = Partitions.of("account-17", Partitions.DEFAULT_COUNT);   // 0 to 3
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Stateless and thread-safe.
 */
public final class Partitions {
  /** The bus-wide partition count when none is configured. */
  public static final int DEFAULT_COUNT = 4;

  /** The largest partition count a bus may use. */
  public static final int MAX_COUNT = 256;

  private Partitions() {}

  /**
   * The partition of {@code key} among {@code count} partitions, from 0 to {@code count - 1}.
   *
   * @throws IllegalArgumentException if {@code count} is not from 1 to {@link #MAX_COUNT}
   */
  public static int of(String key, int count) {
    Objects.requireNonNull(key, "key");
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException(
          "partition count must be 1 to " + MAX_COUNT + ", was " + count);
    }
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % count);
  }
}
