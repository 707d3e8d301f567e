package io.riffle.flink.formats;

import java.util.Collections;
import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
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
 * `protobuf-registry`: Protobuf records in the schema registry's wire format. `plan` is the wire plan
 * Riffle renders from the subject's `.proto` (field numbers and proto types per column, see
 * libs/domain/src/catalog/protobuf-wire-plan.ts); no generated classes and no protobuf-java are needed.
 * Writing needs `schema-id`, the registered schema every record names (the subject's latest version).
 */
public final class ProtobufRegistryFormatFactory
    implements DeserializationFormatFactory, SerializationFormatFactory {
  public static final String IDENTIFIER = "protobuf-registry";

  public static final ConfigOption<String> PLAN =
      ConfigOptions.key("plan")
          .stringType()
          .noDefaultValue()
          .withDescription("Per column, the Protobuf field number and type it is decoded from (JSON).");

  public static final ConfigOption<Integer> SCHEMA_ID =
      ConfigOptions.key("schema-id")
          .intType()
          .noDefaultValue()
          .withDescription("Writing: the registry id of the schema each record names.");

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Collections.singleton(PLAN);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Collections.singleton(SCHEMA_ID);
  }

  @Override
  public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
      DynamicTableFactory.Context context, ReadableConfig options) {
    FactoryUtil.validateFactoryOptions(this, options);
    String plan = options.get(PLAN);
    return new DecodingFormat<DeserializationSchema<RowData>>() {
      @Override
      public DeserializationSchema<RowData> createRuntimeDecoder(
          DynamicTableSource.Context source, DataType physicalDataType) {
        return new ProtobufRegistryDeserializationSchema(
            (RowType) physicalDataType.getLogicalType(),
            source.createTypeInformation(physicalDataType),
            plan);
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
    String plan = options.get(PLAN);
    Integer schemaId = options.getOptional(SCHEMA_ID).orElse(null);
    return new EncodingFormat<SerializationSchema<RowData>>() {
      @Override
      public SerializationSchema<RowData> createRuntimeEncoder(
          DynamicTableSink.Context sink, DataType physicalDataType) {
        if (schemaId == null) {
          throw new ValidationException(
              "The protobuf-registry format writes only with the option '"
                  + SCHEMA_ID.key()
                  + "': the id of the registered Protobuf schema each record names.");
        }
        return new ProtobufRegistrySerializationSchema(
            (RowType) physicalDataType.getLogicalType(), plan, schemaId);
      }

      @Override
      public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
      }
    };
  }
}
