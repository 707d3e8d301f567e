package io.riffle.flink.formats;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Reads Protobuf records in the registry's wire format: magic byte 0, 4-byte schema id, the message
 * indexes (a zigzag varint count, then that many indexes; a single 0 byte means the file's first message),
 * then the message, decoded by {@link ProtobufRowDecoder}. The table reads the file's first message, so
 * records of another message of the file fail. A null record (a tombstone) is no row.
 */
public final class ProtobufRegistryDeserializationSchema implements DeserializationSchema<RowData> {
  private static final long serialVersionUID = 1L;

  private final RowType rowType;
  private final TypeInformation<RowData> producedType;
  private final String plan;
  private transient ProtobufRowDecoder decoder;

  public ProtobufRegistryDeserializationSchema(
      RowType rowType, TypeInformation<RowData> producedType, String plan) {
    this.rowType = rowType;
    this.producedType = producedType;
    this.plan = plan;
  }

  @Override
  public void open(InitializationContext context) throws Exception {
    decoder = new ProtobufRowDecoder(new ObjectMapper().readTree(plan), rowType);
  }

  @Override
  public RowData deserialize(byte[] message) throws IOException {
    if (message == null) return null;
    if (decoder == null) decoder = new ProtobufRowDecoder(new ObjectMapper().readTree(plan), rowType);
    WireReader reader =
        new WireReader(message, ConfluentWireFormat.payloadOffset(message), message.length);
    long count = reader.signedVarint();
    for (long i = 0; i < count; i++) {
      long index = reader.signedVarint();
      if (index != 0 || count > 1) {
        throw new IOException(
            "The record (schema id "
                + ConfluentWireFormat.schemaId(message)
                + ") holds another message of its .proto file than the first, which the table reads");
      }
    }
    return decoder.decode(reader);
  }

  @Override
  public boolean isEndOfStream(RowData nextElement) {
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return producedType;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ProtobufRegistryDeserializationSchema)) return false;
    ProtobufRegistryDeserializationSchema other = (ProtobufRegistryDeserializationSchema) o;
    return rowType.equals(other.rowType) && plan.equals(other.plan);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rowType, plan);
  }
}
