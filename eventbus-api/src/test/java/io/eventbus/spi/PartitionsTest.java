package io.eventbus.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartitionsTest {
  @Test
  void aKeysPartitionIsTheUnsignedCrc32OfItsUtf8BytesModuloTheCount() {
    // zlib.crc32(b"123456789") == 0xCBF43926 == 3421780262, the CRC-32 check value.
    assertThat(Partitions.of("123456789", 256)).isEqualTo((int) (3421780262L % 256));
    assertThat(Partitions.of("123456789", 7)).isEqualTo((int) (3421780262L % 7));
    // Non-ASCII keys hash their UTF-8 bytes: zlib.crc32("é".encode()) == 0x0E048D3E.
    assertThat(Partitions.of("é", 251)).isEqualTo((int) (0x0E048D3EL % 251));
    assertThat(Partitions.of("", Partitions.DEFAULT_COUNT)).isZero();
  }

  @Test
  void theCountMustBeFromOneToTheMaximum() {
    assertThat(Partitions.of("any", 1)).isZero();
    assertThatThrownBy(() -> Partitions.of("any", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition count");
    assertThatThrownBy(() -> Partitions.of("any", Partitions.MAX_COUNT + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
