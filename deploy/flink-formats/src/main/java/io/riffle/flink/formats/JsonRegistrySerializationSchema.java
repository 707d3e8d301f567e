package io.riffle.flink.formats;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.formats.json.JsonRowDataSerializationSchema;
import org.apache.flink.table.data.RowData;

/**
 * Writes rows as flink-json documents framed for the registry: magic byte 0, then the id of the schema
 * Riffle looked up (or registered) for the subject before the statement ran, then the JSON.
 */
public final class JsonRegistrySerializationSchema implements SerializationSchema<RowData> {
  private static final long serialVersionUID = 1L;

  private final JsonRowDataSerializationSchema json;
  private final int schemaId;

  public JsonRegistrySerializationSchema(JsonRowDataSerializationSchema json, int schemaId) {
    this.json = json;
    this.schemaId = schemaId;
  }

  @Override
  public void open(InitializationContext context) throws Exception {
    json.open(context);
  }

  @Override
  public byte[] serialize(RowData row) {
    return ConfluentWireFormat.frame(schemaId, json.serialize(row));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof JsonRegistrySerializationSchema)) return false;
    JsonRegistrySerializationSchema other = (JsonRegistrySerializationSchema) o;
    return schemaId == other.schemaId && json.equals(other.json);
  }

  @Override
  public int hashCode() {
    return Objects.hash(json, schemaId);
  }
}
