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
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * `protobuf-registry`: Protobuf records in the schema registry's wire format, read only. `plan` is the
 * wire plan Riffle renders from the subject's `.proto` (field numbers and proto types per column, see
 * libs/domain/src/catalog/protobuf-wire-plan.ts); no generated classes and no protobuf-java are needed.
 * It is a serialization factory only to refuse writes in words a user understands.
 */
public final class ProtobufRegistryFormatFactory
    implements DeserializationFormatFactory, SerializationFormatFactory {
  public static final String IDENTIFIER = "protobuf-registry";

  public static final ConfigOption<String> PLAN =
      ConfigOptions.key("plan")
          .stringType()
          .noDefaultValue()
          .withDescription("Per column, the Protobuf field number and type it is decoded from (JSON).");

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
    return Collections.emptySet();
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
    throw new ValidationException(
        "Riffle cannot write Protobuf topics yet: the protobuf-registry format reads only. Write to a table"
            + " whose topic has an Avro or JSON Schema value, or create one with CREATE TABLE (Avro).");
  }
}
