import { RiffleError } from '../riffle-error';

/**
 * The read side of the catalog (DESIGN §4): every registry format (Avro, JSON Schema, Protobuf) maps a
 * topic's schema to the same output, an ordered list of Flink SQL columns.
 */
export interface FlinkColumn {
  /** unquoted; may contain any character (see {@link quoteIdentifier}) */
  name: string;
  /** Flink SQL type text, e.g. 'BIGINT NOT NULL', 'ROW<`a` INT, `b` STRING>' */
  type: string;
}

/** Flink SQL quotes identifiers with backticks; a backtick inside the name is written twice. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** The column list of a CREATE TABLE or a ROW type: "`id` BIGINT NOT NULL, `name` STRING". */
export function columnsDdl(columns: readonly FlinkColumn[]): string {
  return columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`).join(', ');
}

/** `ROW<`a` INT, `b` STRING>`: the Flink type of a nested record, object or message. */
export function rowType(fields: readonly FlinkColumn[]): string {
  return `ROW<${columnsDdl(fields)}>`;
}

/** Registry types are nullable only where the schema says so; everything else is `NOT NULL`. */
export function withNullability(type: string, nullable: boolean): string {
  return nullable ? type : `${type} NOT NULL`;
}

/** 'Avro schema', 'Protobuf schema', but 'JSON Schema' (the format's own name). */
function schemaNoun(format: string): string {
  return /schema$/i.test(format) ? format : `${format} schema`;
}

/** The registry schema is not valid JSON or not a valid schema of its format. */
export function schemaInvalidError(format: string, message: string, path?: string): RiffleError {
  const where = path ? ` at ${path}` : '';
  return new RiffleError('SCHEMA_INVALID', 'invalid', `Invalid ${schemaNoun(format)}${where}: ${message}`, {
    format,
    ...(path ? { path } : {}),
  });
}

/** A valid schema that has no Flink SQL equivalent (recursive types, decimals wider than 38 digits …). */
export function schemaUnsupportedError(format: string, message: string, path?: string): RiffleError {
  const where = path ? ` at ${path}` : '';
  return new RiffleError(
    'SCHEMA_UNSUPPORTED',
    'invalid',
    `${schemaNoun(format)}${where} cannot be mapped to Flink SQL: ${message}`,
    { format, ...(path ? { path } : {}) },
  );
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Registry schemas arrive as JSON text (or already parsed); text that is not JSON is SCHEMA_INVALID. */
export function parseSchemaJson(format: string, schema: string | object): unknown {
  if (typeof schema !== 'string') return schema;
  try {
    return JSON.parse(schema) as unknown;
  } catch (error) {
    throw schemaInvalidError(format, `not valid JSON (${(error as Error).message})`);
  }
}
