package io.riffle.flink.formats;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

/**
 * One Flink row → one Protobuf message: the inverse of {@link ProtobufRowDecoder}, by the same wire plan
 * (libs/domain/src/catalog/protobuf-wire-plan.ts) and column types. Null columns are left out (absent
 * fields), repeated scalars are packed as proto3 writes them, a oneof column writes its first non-null
 * member, an enum column writes the number of its value name, and the well-known types (Timestamp, Date,
 * TimeOfDay, Confluent Decimal, wrappers) write their messages.
 */
final class ProtobufRowEncoder {
  private final Field[] fields;

  ProtobufRowEncoder(JsonNode plan, RowType rowType) {
    int arity = rowType.getFieldCount();
    if (plan.size() != arity) {
      throw new IllegalArgumentException(
          "The protobuf-registry plan has " + plan.size() + " fields, the row " + arity);
    }
    fields = new Field[arity];
    for (int i = 0; i < arity; i++) fields[i] = new Field(plan.get(i), rowType.getTypeAt(i), i);
  }

  byte[] encode(RowData row) throws IOException {
    WireWriter out = new WireWriter();
    write(row, out);
    return out.toByteArray();
  }

  private void write(RowData row, WireWriter out) throws IOException {
    for (Field field : fields) field.write(row, out);
  }

  /** one column: a field, or a oneof (a ROW whose members are fields) */
  private static final class Field {
    private final RowData.FieldGetter getter;
    private final Field[] members;
    private final int number;
    private final boolean repeated;
    private final boolean map;
    private final Value value;
    private final Value mapKey;
    private final ArrayData.ElementGetter element;
    private final ArrayData.ElementGetter keys;
    private final ArrayData.ElementGetter values;

    Field(JsonNode plan, LogicalType type, int position) {
      this.getter = RowData.createFieldGetter(type, position);
      if (plan.has("o")) {
        RowType row = (RowType) type;
        JsonNode list = plan.get("o");
        members = new Field[list.size()];
        for (int j = 0; j < list.size(); j++) members[j] = new Field(list.get(j), row.getTypeAt(j), j);
        number = 0;
        repeated = map = false;
        value = mapKey = null;
        element = keys = values = null;
        return;
      }
      members = null;
      number = plan.path("n").asInt();
      map = "map".equals(plan.path("t").asText());
      repeated = plan.path("r").asInt(0) == 1;
      if (map) {
        MapType mapType = (MapType) type;
        mapKey = new Value(keyPlan(plan.path("k").asText()), mapType.getKeyType());
        value = new Value(plan.path("v"), mapType.getValueType());
        keys = ArrayData.createElementGetter(mapType.getKeyType());
        values = ArrayData.createElementGetter(mapType.getValueType());
        element = null;
      } else if (repeated) {
        LogicalType elementType = ((ArrayType) type).getElementType();
        value = new Value(plan, elementType);
        element = ArrayData.createElementGetter(elementType);
        mapKey = null;
        keys = values = null;
      } else {
        value = new Value(plan, type);
        mapKey = null;
        element = keys = values = null;
      }
    }

    void write(RowData row, WireWriter out) throws IOException {
      Object data = getter.getFieldOrNull(row);
      if (data == null) return;
      if (members != null) {
        RowData oneof = (RowData) data;
        for (Field member : members) {
          if (member.getter.getFieldOrNull(oneof) != null) {
            member.write(oneof, out);
            return;
          }
        }
      } else if (map) {
        MapData entries = (MapData) data;
        ArrayData keyArray = entries.keyArray();
        ArrayData valueArray = entries.valueArray();
        for (int i = 0; i < entries.size(); i++) {
          WireWriter entry = new WireWriter();
          Object key = keys.getElementOrNull(keyArray, i);
          Object item = values.getElementOrNull(valueArray, i);
          if (key != null) mapKey.write(1, key, entry);
          if (item != null) value.write(2, item, entry);
          out.tag(number, WireReader.LENGTH_DELIMITED);
          out.bytes(entry.toByteArray());
        }
      } else if (repeated) {
        ArrayData array = (ArrayData) data;
        if (value.packable()) {
          WireWriter packed = new WireWriter();
          for (int i = 0; i < array.size(); i++) {
            Object item = element.getElementOrNull(array, i);
            if (item == null) throw nullElement();
            value.writeBare(item, packed);
          }
          if (!packed.isEmpty()) {
            out.tag(number, WireReader.LENGTH_DELIMITED);
            out.bytes(packed.toByteArray());
          }
        } else {
          for (int i = 0; i < array.size(); i++) {
            Object item = element.getElementOrNull(array, i);
            if (item == null) throw nullElement();
            value.write(number, item, out);
          }
        }
      } else {
        value.write(number, data, out);
      }
    }

    private IOException nullElement() {
      return new IOException(
          "Protobuf field " + number + " is repeated, and a repeated field cannot hold a null element");
    }
  }

  private static JsonNode keyPlan(String type) {
    return org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
        .objectNode()
        .put("t", type);
  }

  /** one value of a field: a scalar, enum, nested message or well-known type */
  private static final class Value {
    private final String type;
    private final LogicalType flinkType;
    private final ProtobufRowEncoder message;
    private final Value wrapped;
    private final Map<String, Integer> enumNumbers = new HashMap<>();

    Value(JsonNode plan, LogicalType flinkType) {
      this.type = plan.path("t").asText();
      this.flinkType = flinkType;
      this.message = "message".equals(type) ? new ProtobufRowEncoder(plan.path("m"), (RowType) flinkType) : null;
      this.wrapped = "wrapper".equals(type) ? new Value(keyPlan(plan.path("w").asText()), flinkType) : null;
      JsonNode names = plan.path("e");
      for (Iterator<Map.Entry<String, JsonNode>> it = names.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        enumNumbers.put(entry.getValue().asText(), Integer.parseInt(entry.getKey()));
      }
    }

    boolean packable() {
      return wireType() != WireReader.LENGTH_DELIMITED;
    }

    int wireType() {
      switch (type) {
        case "double": case "fixed64": case "sfixed64":
          return WireReader.FIXED64;
        case "float": case "fixed32": case "sfixed32":
          return WireReader.FIXED32;
        case "int32": case "int64": case "uint32": case "uint64": case "sint32": case "sint64":
        case "bool": case "enum":
          return WireReader.VARINT;
        default:
          return WireReader.LENGTH_DELIMITED;
      }
    }

    /** tag and value */
    void write(int number, Object data, WireWriter out) throws IOException {
      out.tag(number, wireType());
      writeBare(data, out);
    }

    /** the value alone: a varint, fixed bytes, or a length and body */
    void writeBare(Object data, WireWriter out) throws IOException {
      switch (type) {
        case "int32": case "int64": case "uint32": case "uint64":
          out.varint(integer(data));
          return;
        case "sint32": case "sint64":
          out.signedVarint(integer(data));
          return;
        case "fixed32": case "sfixed32":
          out.fixed32((int) integer(data));
          return;
        case "fixed64": case "sfixed64":
          out.fixed64(integer(data));
          return;
        case "bool":
          out.varint((Boolean) data ? 1 : 0);
          return;
        case "double":
          out.fixed64(Double.doubleToLongBits(((Number) data).doubleValue()));
          return;
        case "float":
          out.fixed32(Float.floatToIntBits(((Number) data).floatValue()));
          return;
        case "string":
          out.bytes(((StringData) data).toBytes());
          return;
        case "bytes":
          out.bytes((byte[]) data);
          return;
        case "enum":
          out.varint(enumNumber(data.toString()));
          return;
        case "message": {
          WireWriter inner = new WireWriter();
          message.write((RowData) data, inner);
          out.bytes(inner.toByteArray());
          return;
        }
        case "wrapper": {
          WireWriter inner = new WireWriter();
          wrapped.write(1, data, inner);
          out.bytes(inner.toByteArray());
          return;
        }
        case "timestamp":
          out.bytes(timestamp((TimestampData) data));
          return;
        case "date":
          out.bytes(date((Integer) data));
          return;
        case "timeofday":
          out.bytes(timeOfDay((Integer) data));
          return;
        case "decimal":
          out.bytes(decimal((DecimalData) data));
          return;
        default:
          throw new IOException("The protobuf-registry plan has an unknown type " + type);
      }
    }

    private static long integer(Object data) {
      return ((Number) data).longValue();
    }

    private int enumNumber(String name) throws IOException {
      Integer number = enumNumbers.get(name);
      if (number != null) return number;
      try {
        return Integer.parseInt(name); // an unknown value read back as its number
      } catch (NumberFormatException e) {
        throw new IOException("'" + name + "' is not a value of the Protobuf enum " + enumNumbers.keySet());
      }
    }

    private static byte[] timestamp(TimestampData value) {
      long millis = value.getMillisecond();
      WireWriter inner = new WireWriter();
      long seconds = Math.floorDiv(millis, 1000L);
      int nanos = (int) Math.floorMod(millis, 1000L) * 1_000_000 + value.getNanoOfMillisecond();
      if (seconds != 0) {
        inner.tag(1, WireReader.VARINT);
        inner.varint(seconds);
      }
      if (nanos != 0) {
        inner.tag(2, WireReader.VARINT);
        inner.varint(nanos);
      }
      return inner.toByteArray();
    }

    private static byte[] date(int epochDay) {
      LocalDate day = LocalDate.ofEpochDay(epochDay);
      WireWriter inner = new WireWriter();
      inner.tag(1, WireReader.VARINT);
      inner.varint(day.getYear());
      inner.tag(2, WireReader.VARINT);
      inner.varint(day.getMonthValue());
      inner.tag(3, WireReader.VARINT);
      inner.varint(day.getDayOfMonth());
      return inner.toByteArray();
    }

    private static byte[] timeOfDay(int millisOfDay) {
      WireWriter inner = new WireWriter();
      long[] parts = {
        millisOfDay / 3_600_000, millisOfDay / 60_000 % 60, millisOfDay / 1000 % 60, millisOfDay % 1000 * 1_000_000L
      };
      for (int i = 0; i < parts.length; i++) {
        if (parts[i] == 0) continue;
        inner.tag(i + 1, WireReader.VARINT);
        inner.varint(parts[i]);
      }
      return inner.toByteArray();
    }

    private byte[] decimal(DecimalData value) {
      BigDecimal decimal = value.toBigDecimal();
      WireWriter inner = new WireWriter();
      inner.tag(1, WireReader.LENGTH_DELIMITED);
      inner.bytes(decimal.unscaledValue().toByteArray());
      inner.tag(2, WireReader.VARINT);
      inner.varint(value.precision());
      inner.tag(3, WireReader.VARINT);
      inner.varint(value.scale());
      return inner.toByteArray();
    }
  }
}
