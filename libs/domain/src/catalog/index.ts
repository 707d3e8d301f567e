export { avroToFlinkColumns, avroToFlinkColumnsForFormat, type AvroMappingOptions } from './avro-to-flink';
export { columnsDdl, type FlinkColumn, quoteIdentifier } from './flink-columns';
export { jsonSchemaToFlinkColumns, type JsonSchemaMappingOptions } from './json-schema-to-flink';
export { protobufToFlinkColumns, type ProtobufMappingOptions } from './protobuf-to-flink';
