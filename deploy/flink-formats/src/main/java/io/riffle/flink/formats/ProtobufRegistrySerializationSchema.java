package io.riffle.flink.formats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Writes rows as Protobuf records in the registry's wire format: magic byte 0, the id of the subject's
 * schema Riffle looked up before the statement ran, the message indexes of the file's first message (a
 * single 0), then the message {@link ProtobufRowEncoder} encodes, which the table's readers decode.
 */
public final class ProtobufRegistrySerializationSchema implements SerializationSchema<RowData> {
  private static final long serialVersionUID = 1L;
  /** Confluent's message indexes for the first message of the file: the count 0, zigzag-encoded */
  private static final byte[] FIRST_MESSAGE = {0};

  private final RowType rowType;
  private final String plan;
  private final int schemaId;
  private transient ProtobufRowEncoder encoder;

  public ProtobufRegistrySerializationSchema(RowType rowType, String plan, int schemaId) {
    this.rowType = rowType;
    this.plan = plan;
    this.schemaId = schemaId;
  }

  @Override
  public void open(InitializationContext context) throws Exception {
    encoder = new ProtobufRowEncoder(new ObjectMapper().readTree(plan), rowType);
  }

  @Override
  public byte[] serialize(RowData row) {
    try {
      if (encoder == null) encoder = new ProtobufRowEncoder(new ObjectMapper().readTree(plan), rowType);
      byte[] message = encoder.encode(row);
      byte[] payload = new byte[FIRST_MESSAGE.length + message.length];
      System.arraycopy(FIRST_MESSAGE, 0, payload, 0, FIRST_MESSAGE.length);
      System.arraycopy(message, 0, payload, FIRST_MESSAGE.length, message.length);
      return ConfluentWireFormat.frame(schemaId, payload);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write a Protobuf record (schema id " + schemaId + ")", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ProtobufRegistrySerializationSchema)) return false;
    ProtobufRegistrySerializationSchema other = (ProtobufRegistrySerializationSchema) o;
    return schemaId == other.schemaId && rowType.equals(other.rowType) && plan.equals(other.plan);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rowType, plan, schemaId);
  }
}
