package io.riffle.flink.formats;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The schema registry's framing of a Kafka record (Confluent wire format): one magic byte 0, the schema's
 * global id as a 4-byte big-endian integer, then the payload.
 */
final class ConfluentWireFormat {
  static final byte MAGIC_BYTE = 0;
  static final int HEADER_LENGTH = 5;

  private ConfluentWireFormat() {}

  /** the offset of the payload; fails on a record that is not framed by the registry */
  static int payloadOffset(byte[] message) throws IOException {
    if (message.length < HEADER_LENGTH || message[0] != MAGIC_BYTE) {
      throw new IOException(
          "Not a schema registry record: expected the magic byte 0 and a 4-byte schema id, got "
              + (message.length == 0 ? "an empty record" : "first byte " + message[0] + " of " + message.length));
    }
    return HEADER_LENGTH;
  }

  static int schemaId(byte[] message) {
    return ByteBuffer.wrap(message, 1, 4).getInt();
  }

  /** header + payload in one new array */
  static byte[] frame(int schemaId, byte[] payload) {
    return ByteBuffer.allocate(HEADER_LENGTH + payload.length)
        .put(MAGIC_BYTE)
        .putInt(schemaId)
        .put(payload)
        .array();
  }
}
