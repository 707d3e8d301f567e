export {
  avroToFlinkColumns,
  avroToFlinkColumnsForFormat,
  avroToFlinkDerivedColumns,
  type AvroMappingOptions,
  isAvroRecordSchema,
} from './avro-to-flink';
export { columnsDdl, type FlinkColumn, quoteIdentifier } from './flink-columns';
export {
  avroRecordName,
  type AvroRecordOptions,
  flinkColumnsToAvroSchema,
  tableAvroSchemas,
} from './flink-to-avro';
export { type FlinkRowField, type FlinkType, parseFlinkType, renderFlinkType } from './flink-type';
export {
  isJsonSchemaObject,
  jsonSchemaToFlinkColumns,
  type JsonSchemaMappingOptions,
} from './json-schema-to-flink';
export { protobufToFlinkColumns, type ProtobufMappingOptions } from './protobuf-to-flink';
export {
  type CreateTableOptions,
  type DescribeRow,
  describeRows,
  HIDDEN_COLUMNS_SESSION_CONFIG,
  renderCreateTable,
  renderShowCreateTable,
  USER_FORMATS,
} from './table-ddl';
export {
  type ColumnOrigin,
  DEFAULT_WATERMARK_EXPRESSION,
  inferTable,
  type InferTableInput,
  type RegistrySchema,
  ROWTIME_COLUMN,
  type SchemaFormat,
  type SchemaReference,
  SYSTEM_COLUMNS,
  type TableColumn,
  type TableDefinition,
  type TableFormat,
  type TableWatermark,
} from './table-schema';
export {
  type CreateTableExtras,
  createTableOf,
  notSupportedYet,
  type ParsedCreateTable,
  resolvedCreateTable,
} from './create-table-statement';
export {
  type CreateTablePlan,
  DEFAULT_PARTITIONS,
  isInternalTopic,
  planCreateTable,
  tableOptionsOfTopic,
} from './plan-create-table';
export { type CatalogStatement, catalogStatementOf, type LikeFilter, matchesLike } from './catalog-statement';
export { renderTopicTable, topicTable } from './topic-table';
export {
  type AlterTablePlan,
  applyTableSettings,
  checkWatermark,
  alterTableOf,
  type ParsedAlterTable,
  planAlterTable,
  type StoredColumn,
  type TableSettings,
} from './alter-table';
export { mergeTableOptions, STORED_TABLE_OPTIONS } from './stored-table-options';
export { describeExtendedRows, type TableDetails } from './describe-extended';
export { type CreateTableAsPlan, planCreateTableAs, renderCreateTableAs } from './create-table-as';
export {
  decideEgress,
  type EgressAllowEntry,
  type EgressDecision,
  type EgressPolicy,
  type Endpoint,
  isPublicAddress,
  parseEgressAllow,
  parseEndpoint,
  parseRegistryUrl,
} from './egress-policy';
