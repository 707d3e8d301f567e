package io.riffle.flink.formats;

import java.io.IOException;
import java.util.Arrays;

/** Reads the Protobuf wire format (varints, fixed 32/64-bit, length-delimited) from a byte range. */
final class WireReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final byte[] buffer;
  private int position;
  private final int limit;

  WireReader(byte[] buffer, int position, int limit) {
    this.buffer = buffer;
    this.position = position;
    this.limit = limit;
  }

  boolean atEnd() {
    return position >= limit;
  }

  long varint() throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = next();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return result;
    }
    throw new IOException("Malformed Protobuf varint");
  }

  /** a zigzag-encoded varint (sint32, sint64, Confluent's message indexes) */
  long signedVarint() throws IOException {
    long raw = varint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  int fixed32() throws IOException {
    require(4);
    int value = 0;
    for (int i = 0; i < 4; i++) value |= (buffer[position + i] & 0xFF) << (8 * i);
    position += 4;
    return value;
  }

  long fixed64() throws IOException {
    require(8);
    long value = 0;
    for (int i = 0; i < 8; i++) value |= (long) (buffer[position + i] & 0xFF) << (8 * i);
    position += 8;
    return value;
  }

  /** the next length-delimited value as a reader of its own */
  WireReader delimited() throws IOException {
    int length = length();
    WireReader inner = new WireReader(buffer, position, position + length);
    position += length;
    return inner;
  }

  byte[] bytes() throws IOException {
    int length = length();
    byte[] copy = Arrays.copyOfRange(buffer, position, position + length);
    position += length;
    return copy;
  }

  void skip(int wireType) throws IOException {
    switch (wireType) {
      case VARINT:
        varint();
        break;
      case FIXED64:
        require(8);
        position += 8;
        break;
      case LENGTH_DELIMITED:
        int length = length(); // first: reading the length moves the position
        position += length;
        break;
      case FIXED32:
        require(4);
        position += 4;
        break;
      default:
        throw new IOException("Unsupported Protobuf wire type " + wireType + " (groups are not read)");
    }
  }

  private int length() throws IOException {
    long length = varint();
    if (length < 0 || length > limit - position) throw new IOException("Truncated Protobuf message");
    return (int) length;
  }

  private byte next() throws IOException {
    require(1);
    return buffer[position++];
  }

  private void require(int bytes) throws IOException {
    if (limit - position < bytes) throw new IOException("Truncated Protobuf message");
  }
}
