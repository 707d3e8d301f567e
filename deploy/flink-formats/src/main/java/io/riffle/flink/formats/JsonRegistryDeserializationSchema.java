package io.riffle.flink.formats;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.json.JsonRowDataDeserializationSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Reads JSON Schema records as the registry's serializers write them: checks the magic byte, drops the
 * 5-byte header and hands the JSON document to flink-json. Any schema id is accepted: flink-json reads
 * fields by name, so every version of the subject reads with the table's columns. A null record (a
 * tombstone) is no row.
 */
public final class JsonRegistryDeserializationSchema implements DeserializationSchema<RowData> {
  private static final long serialVersionUID = 1L;

  private final JsonRowDataDeserializationSchema json;

  public JsonRegistryDeserializationSchema(JsonRowDataDeserializationSchema json) {
    this.json = json;
  }

  @Override
  public void open(InitializationContext context) throws Exception {
    json.open(context);
  }

  @Override
  public void deserialize(byte[] message, Collector<RowData> out) throws IOException {
    if (message == null) return;
    json.deserialize(payload(message), out);
  }

  @Override
  @SuppressWarnings("deprecation") // the single-row form is what DeserializationSchema still requires
  public RowData deserialize(byte[] message) throws IOException {
    return message == null ? null : json.deserialize(payload(message));
  }

  private static byte[] payload(byte[] message) throws IOException {
    return Arrays.copyOfRange(message, ConfluentWireFormat.payloadOffset(message), message.length);
  }

  @Override
  public boolean isEndOfStream(RowData nextElement) {
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return json.getProducedType();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonRegistryDeserializationSchema
        && json.equals(((JsonRegistryDeserializationSchema) o).json);
  }

  @Override
  public int hashCode() {
    return Objects.hash(json);
  }
}
