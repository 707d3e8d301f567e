package io.riffle.flink.formats;

import java.util.Arrays;

/** Writes the Protobuf wire format (tags, varints, fixed 32/64-bit, length-delimited) into a growing buffer. */
final class WireWriter {
  private byte[] buffer = new byte[64];
  private int size;

  void tag(int number, int wireType) {
    varint(((long) number << 3) | wireType);
  }

  void varint(long value) {
    while ((value & ~0x7FL) != 0) {
      put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    put((byte) value);
  }

  /** zigzag (sint32, sint64, Confluent's message indexes) */
  void signedVarint(long value) {
    varint((value << 1) ^ (value >> 63));
  }

  void fixed32(int value) {
    for (int i = 0; i < 4; i++) put((byte) (value >>> (8 * i)));
  }

  void fixed64(long value) {
    for (int i = 0; i < 8; i++) put((byte) (value >>> (8 * i)));
  }

  /** a length-delimited field's body: its length, then the bytes */
  void bytes(byte[] value) {
    varint(value.length);
    ensure(value.length);
    System.arraycopy(value, 0, buffer, size, value.length);
    size += value.length;
  }

  boolean isEmpty() {
    return size == 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }

  private void put(byte b) {
    ensure(1);
    buffer[size++] = b;
  }

  private void ensure(int more) {
    if (size + more > buffer.length) buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
  }
}
