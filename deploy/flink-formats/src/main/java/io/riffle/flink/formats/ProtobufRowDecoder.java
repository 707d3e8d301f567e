package io.riffle.flink.formats;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

/**
 * One Protobuf message → one Flink row, following the wire plan Riffle renders from the `.proto`
 * (libs/domain/src/catalog/protobuf-wire-plan.ts) and the column types it declares (protobuf-to-flink.ts):
 * scalars by proto type, enum → its value name, message → ROW, repeated → ARRAY (packed or not), map →
 * MAP, oneof → ROW of its members, Timestamp / Date / TimeOfDay / Confluent Decimal / wrappers → their
 * Flink types. Absent fields are null where the column is nullable, else proto3's default. Unknown field
 * numbers are skipped, so newer writers' fields do not break reading.
 */
final class ProtobufRowDecoder {
  private static final int ONEOF = -1;

  /** field number → where its value goes */
  private final Map<Integer, Slot> slots = new HashMap<>();
  /** per column: its field (for defaults), or null for a oneof column */
  private final Slot[] columns;
  /** per oneof column: its member count */
  private final int[] oneofSizes;
  private final RowType rowType;

  private static final class Slot {
    final int column;
    /** the member's position in a oneof ROW, or ONEOF when the slot is a plain column */
    final int member;
    final Value value;
    final boolean repeated;
    final boolean map;
    final Value mapKey;
    final boolean nullable;

    Slot(int column, int member, JsonNode plan, LogicalType type) {
      this.column = column;
      this.member = member;
      this.nullable = type.isNullable();
      this.map = "map".equals(plan.path("t").asText());
      this.repeated = plan.path("r").asInt(0) == 1;
      if (map) {
        MapType mapType = (MapType) type;
        this.mapKey = new Value(scalarPlan(plan.path("k").asText()), mapType.getKeyType());
        this.value = new Value(plan.path("v"), mapType.getValueType());
      } else {
        this.mapKey = null;
        this.value = new Value(plan, repeated ? ((ArrayType) type).getElementType() : type);
      }
    }
  }

  ProtobufRowDecoder(JsonNode plan, RowType rowType) {
    this.rowType = rowType;
    int arity = rowType.getFieldCount();
    if (plan.size() != arity) {
      throw new IllegalArgumentException(
          "The protobuf-registry plan has " + plan.size() + " fields, the row " + arity);
    }
    columns = new Slot[arity];
    oneofSizes = new int[arity];
    for (int i = 0; i < arity; i++) {
      JsonNode field = plan.get(i);
      LogicalType type = rowType.getTypeAt(i);
      if (field.has("o")) {
        RowType members = (RowType) type;
        JsonNode list = field.get("o");
        oneofSizes[i] = list.size();
        for (int j = 0; j < list.size(); j++) {
          Slot slot = new Slot(i, j, list.get(j), members.getTypeAt(j));
          slots.put(list.get(j).path("n").asInt(), slot);
        }
      } else {
        columns[i] = new Slot(i, ONEOF, field, type);
        slots.put(field.path("n").asInt(), columns[i]);
      }
    }
  }

  GenericRowData decode(WireReader reader) throws IOException {
    int arity = rowType.getFieldCount();
    Object[] values = new Object[arity];
    Object[][] oneofs = new Object[arity][];
    while (!reader.atEnd()) {
      long tag = reader.varint();
      int number = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      Slot slot = slots.get(number);
      if (slot == null) {
        reader.skip(wireType);
      } else if (slot.member != ONEOF) {
        Object[] members = oneofs[slot.column];
        if (members == null) members = oneofs[slot.column] = new Object[oneofSizes[slot.column]];
        Arrays.fill(members, null); // the last member set wins
        members[slot.member] = slot.value.read(reader, wireType);
      } else if (slot.map) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) values[slot.column];
        if (map == null) values[slot.column] = map = new LinkedHashMap<>();
        readEntry(slot, reader.delimited(), map);
      } else if (slot.repeated) {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) values[slot.column];
        if (list == null) values[slot.column] = list = new ArrayList<>();
        if (wireType == WireReader.LENGTH_DELIMITED && slot.value.packable()) {
          WireReader packed = reader.delimited();
          while (!packed.atEnd()) list.add(slot.value.read(packed, slot.value.wireType()));
        } else {
          list.add(slot.value.read(reader, wireType));
        }
      } else {
        values[slot.column] = slot.value.read(reader, wireType);
      }
    }
    GenericRowData row = new GenericRowData(arity);
    for (int i = 0; i < arity; i++) {
      Slot column = columns[i];
      if (column == null) {
        row.setField(i, oneofs[i] == null ? null : GenericRowData.of(oneofs[i]));
      } else if (column.map) {
        Object map = values[i];
        row.setField(i, new GenericMapData(map == null ? new LinkedHashMap<>() : (Map<?, ?>) map));
      } else if (column.repeated) {
        List<?> list = (List<?>) values[i];
        row.setField(i, new GenericArrayData(list == null ? new Object[0] : list.toArray()));
      } else {
        Object value = values[i];
        row.setField(i, value != null || column.nullable ? value : column.value.defaultValue());
      }
    }
    return row;
  }

  private static void readEntry(Slot slot, WireReader entry, Map<Object, Object> map) throws IOException {
    Object key = null;
    Object value = null;
    while (!entry.atEnd()) {
      long tag = entry.varint();
      int wireType = (int) (tag & 7);
      if ((tag >>> 3) == 1) key = slot.mapKey.read(entry, wireType);
      else if ((tag >>> 3) == 2) value = slot.value.read(entry, wireType);
      else entry.skip(wireType);
    }
    map.put(key != null ? key : slot.mapKey.defaultValue(), value != null ? value : slot.value.defaultValue());
  }

  private static JsonNode scalarPlan(String type) {
    return JsonNodeFactory.instance.objectNode().put("t", type);
  }

  /** one value of a field: a scalar, enum, nested message or well-known type */
  private static final class Value {
    private final String type;
    private final LogicalType flinkType;
    private final JsonNode plan;
    private final ProtobufRowDecoder message;
    private final Value wrapped;

    Value(JsonNode plan, LogicalType flinkType) {
      this.type = plan.path("t").asText();
      this.flinkType = flinkType;
      this.plan = plan;
      this.message = "message".equals(type) ? new ProtobufRowDecoder(plan.path("m"), (RowType) flinkType) : null;
      this.wrapped = "wrapper".equals(type) ? new Value(scalarPlan(plan.path("w").asText()), flinkType) : null;
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

    Object read(WireReader reader, int wireType) throws IOException {
      if (wireType != wireType()) {
        throw new IOException("Protobuf field of type " + type + " has wire type " + wireType);
      }
      switch (type) {
        case "int32": case "uint32": case "int64": case "uint64":
          return integer(reader.varint());
        case "sint32": case "sint64":
          return integer(reader.signedVarint());
        case "fixed32": case "sfixed32":
          return integer(reader.fixed32());
        case "fixed64": case "sfixed64":
          return integer(reader.fixed64());
        case "bool":
          return reader.varint() != 0;
        case "double":
          return Double.longBitsToDouble(reader.fixed64());
        case "float":
          return Float.intBitsToFloat(reader.fixed32());
        case "string":
          return StringData.fromBytes(reader.bytes());
        case "bytes":
          return reader.bytes();
        case "enum":
          return enumName((int) reader.varint());
        case "message":
          return message.decode(reader.delimited());
        case "wrapper":
          return wrapper(reader.delimited());
        case "timestamp":
          return timestamp(reader.delimited());
        case "date":
          return date(reader.delimited());
        case "timeofday":
          return timeOfDay(reader.delimited());
        case "decimal":
          return decimal(reader.delimited());
        default:
          throw new IOException("The protobuf-registry plan has an unknown type " + type);
      }
    }

    /** proto3's default for an absent field whose column is NOT NULL */
    Object defaultValue() {
      switch (flinkType.getTypeRoot()) {
        case TINYINT: return (byte) 0;
        case SMALLINT: return (short) 0;
        case INTEGER: return 0;
        case BIGINT: return 0L;
        case FLOAT: return 0f;
        case DOUBLE: return 0d;
        case BOOLEAN: return false;
        case CHAR: case VARCHAR: return "enum".equals(type) ? enumName(0) : StringData.fromString("");
        case BINARY: case VARBINARY: return new byte[0];
        default: return null;
      }
    }

    private Object integer(long raw) {
      switch (flinkType.getTypeRoot()) {
        case TINYINT: return (byte) raw;
        case SMALLINT: return (short) raw;
        case INTEGER: return (int) raw;
        default: return raw;
      }
    }

    private StringData enumName(int number) {
      JsonNode name = plan.path("e").get(String.valueOf(number));
      return StringData.fromString(name == null ? String.valueOf(number) : name.asText());
    }

    private Object wrapper(WireReader inner) throws IOException {
      Object value = null;
      while (!inner.atEnd()) {
        long tag = inner.varint();
        if ((tag >>> 3) == 1) value = wrapped.read(inner, (int) (tag & 7));
        else inner.skip((int) (tag & 7));
      }
      return value != null ? value : wrapped.defaultValue();
    }

    private static long[] fields(WireReader inner, int count) throws IOException {
      long[] values = new long[count + 1];
      while (!inner.atEnd()) {
        long tag = inner.varint();
        int number = (int) (tag >>> 3);
        if (number <= count && (tag & 7) == WireReader.VARINT) values[number] = inner.varint();
        else inner.skip((int) (tag & 7));
      }
      return values;
    }

    private static TimestampData timestamp(WireReader inner) throws IOException {
      long[] f = fields(inner, 2); // seconds, nanos
      long nanos = (int) f[2];
      return TimestampData.fromEpochMillis(
          Math.addExact(Math.multiplyExact(f[1], 1000L), Math.floorDiv(nanos, 1_000_000L)),
          (int) Math.floorMod(nanos, 1_000_000L));
    }

    private static Integer date(WireReader inner) throws IOException {
      long[] f = fields(inner, 3); // year, month, day
      if (f[1] == 0 || f[2] == 0 || f[3] == 0) return null; // a partial date is no DATE
      return (int) LocalDate.of((int) f[1], (int) f[2], (int) f[3]).toEpochDay();
    }

    private static Integer timeOfDay(WireReader inner) throws IOException {
      long[] f = fields(inner, 4); // hours, minutes, seconds, nanos
      return (int) (((f[1] * 60 + f[2]) * 60 + f[3]) * 1000 + (int) f[4] / 1_000_000);
    }

    private DecimalData decimal(WireReader inner) throws IOException {
      byte[] unscaled = new byte[0];
      int scale = 0;
      while (!inner.atEnd()) {
        long tag = inner.varint();
        int number = (int) (tag >>> 3);
        if (number == 1 && (tag & 7) == WireReader.LENGTH_DELIMITED) unscaled = inner.bytes();
        else if (number == 3 && (tag & 7) == WireReader.VARINT) scale = (int) inner.varint();
        else inner.skip((int) (tag & 7));
      }
      DecimalType decimalType = (DecimalType) flinkType;
      BigInteger digits = unscaled.length == 0 ? BigInteger.ZERO : new BigInteger(unscaled);
      BigDecimal value = new BigDecimal(digits, scale);
      return DecimalData.fromBigDecimal(value, decimalType.getPrecision(), decimalType.getScale());
    }
  }
}
