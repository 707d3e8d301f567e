package io.riffle.flink.formats;

import java.util.Collections;
import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.JsonFormatOptions;
import org.apache.flink.formats.json.JsonRowDataDeserializationSchema;
import org.apache.flink.formats.json.JsonRowDataSerializationSchema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * `json-registry`: JSON Schema records in the schema registry's wire format (magic byte 0, 4-byte schema
 * id, JSON). The JSON itself is flink-json's, with ISO-8601 timestamps (`…T…Z`) and decimals as plain
 * numbers; missing fields read as null. Writing needs `schema-id`, the registered schema every record
 * names; Riffle passes the subject's latest id.
 */
public final class JsonRegistryFormatFactory
    implements DeserializationFormatFactory, SerializationFormatFactory {
  public static final String IDENTIFIER = "json-registry";

  public static final ConfigOption<Integer> SCHEMA_ID =
      ConfigOptions.key("schema-id")
          .intType()
          .noDefaultValue()
          .withDescription("The registry's global id of the schema written into each record's header.");

  private static final TimestampFormat TIMESTAMPS = TimestampFormat.ISO_8601;

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Collections.emptySet();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Collections.singleton(SCHEMA_ID);
  }

  @Override
  public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
      DynamicTableFactory.Context context, ReadableConfig options) {
    FactoryUtil.validateFactoryOptions(this, options);
    return new DecodingFormat<DeserializationSchema<RowData>>() {
      @Override
      public DeserializationSchema<RowData> createRuntimeDecoder(
          DynamicTableSource.Context source, DataType physicalDataType) {
        RowType rowType = (RowType) physicalDataType.getLogicalType();
        TypeInformation<RowData> producedType = source.createTypeInformation(physicalDataType);
        return new JsonRegistryDeserializationSchema(
            new JsonRowDataDeserializationSchema(rowType, producedType, false, false, TIMESTAMPS));
      }

      @Override
      public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
      }
    };
  }

  @Override
  public EncodingFormat<SerializationSchema<RowData>> createEncodingFormat(
      DynamicTableFactory.Context context, ReadableConfig options) {
    FactoryUtil.validateFactoryOptions(this, options);
    Integer schemaId = options.getOptional(SCHEMA_ID).orElse(null);
    return new EncodingFormat<SerializationSchema<RowData>>() {
      @Override
      public SerializationSchema<RowData> createRuntimeEncoder(
          DynamicTableSink.Context sink, DataType physicalDataType) {
        if (schemaId == null) {
          throw new ValidationException(
              "The json-registry format writes only with the option '"
                  + SCHEMA_ID.key()
                  + "': the id of the registered JSON Schema each record names.");
        }
        RowType rowType = (RowType) physicalDataType.getLogicalType();
        JsonRowDataSerializationSchema json =
            new JsonRowDataSerializationSchema(
                rowType, TIMESTAMPS, JsonFormatOptions.MapNullKeyMode.FAIL, "null", true, false);
        return new JsonRegistrySerializationSchema(json, schemaId);
      }

      @Override
      public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
      }
    };
  }
}
