/**
 * Flink's own reading of a statement: what the SQL analyzer (deploy/sql-analyzer, Flink 2.2's parser and
 * planner) answers, as a versioned contract. Pure data; the SQL policy and the catalog read it, and it is
 * stored with the statement so that no later step parses the text again.
 */
export const SQL_ANALYSIS_VERSION = 1;

/** 1-based; columns count UTF-16 code units, a tab as one column (as Flink's parser counts) */
export interface SqlSpan {
  line?: number;
  column?: number;
}

/** offsets into the statement text (UTF-16), end exclusive */
export interface SqlTextRange {
  start: number;
  end: number;
}

export type SqlReferenceType =
  'TABLE' | 'VIEW' | 'DATABASE' | 'CATALOG' | 'FUNCTION' | 'MODEL' | 'MODULE' | 'CONNECTION' | 'OBJECT';

/** read, write, create, alter, drop, describe, show, use, like (CREATE TABLE … LIKE), call, other */
export type SqlReferenceUse =
  'read' | 'write' | 'create' | 'alter' | 'drop' | 'describe' | 'show' | 'use' | 'like' | 'call' | 'other';

/** A name the statement refers to, its parts unquoted and in their case, once per type, use and path. */
export interface SqlReference extends SqlSpan {
  type: SqlReferenceType;
  use: SqlReferenceUse;
  path: string[];
}

/** WITH, SET, RESET, ALTER TABLE … SET (TABLE_SET) / RESET (TABLE_RESET), and OPTIONS hints (HINT) */
export type SqlOptionScope = 'WITH' | 'SET' | 'RESET' | 'TABLE_SET' | 'TABLE_RESET' | 'HINT';

export interface SqlOption extends SqlSpan {
  scope: SqlOptionScope;
  key: string;
  /** null: RESET */
  value: string | null;
}

/** `/*+ NAME('k' = 'v') *\/` or `/*+ NAME(a, b) *\/`, of a query (no table) or of a table */
export interface SqlHint extends SqlSpan {
  name: string;
  table?: string[];
  options: Record<string, string>;
  values: string[];
  /** Flink cannot read the hint's options (a continued or prefixed literal): they are not listed */
  unreadable?: boolean;
}

export interface SqlColumnDefinition extends SqlSpan {
  name: string;
  kind: 'physical' | 'computed' | 'metadata';
  /** as written, without a trailing NOT NULL (physical and metadata columns) */
  type?: string;
  nullable?: boolean;
  /** computed columns, as written */
  expression?: string;
  /** metadata columns: `METADATA FROM 'key'` (absent: the column's name) */
  metadataKey?: string;
  virtual?: boolean;
  comment?: string;
  /** a column-level PRIMARY KEY */
  primaryKey?: boolean;
  /** ALTER TABLE ADD/MODIFY: `FIRST` or `AFTER column` */
  position?: 'FIRST';
  after?: string;
}

export interface SqlConstraint extends SqlSpan {
  name?: string;
  primaryKey: boolean;
  unique: boolean;
  enforced: boolean;
  columns: string[];
}

export interface SqlWatermarkDefinition extends SqlSpan {
  eventTimeColumn: string;
  /** as written */
  expression: string;
}

export interface SqlDistributionDefinition extends SqlSpan {
  /** HASH, RANGE; absent: not said */
  kind?: string;
  columns: string[];
  buckets?: number;
}

/** CREATE TABLE [… AS | … LIKE] and ALTER TABLE, as written */
export interface SqlTableDefinition {
  path: string[];
  temporary?: boolean;
  ifNotExists?: boolean;
  ifExists?: boolean;
  orReplace?: boolean;
  columns?: SqlColumnDefinition[];
  constraints?: SqlConstraint[];
  watermark?: SqlWatermarkDefinition;
  distribution?: SqlDistributionDefinition;
  partitionedBy?: string[];
  comment?: string;
  like?: { path: string[]; options: { strategy: string; feature: string }[] };
  /** WITH (…) of CREATE, SET (…) of ALTER TABLE */
  options?: Record<string, string>;
  /** ALTER TABLE … RESET (…) */
  resetKeys?: string[];
  dropColumns?: string[];
  renameColumn?: { from: string; to: string };
  renameTo?: string[];
  constraintName?: string;
}

export interface SqlViewDefinition {
  path: string[];
  temporary: boolean;
  ifNotExists: boolean;
  columns: string[];
  comment?: string;
  options?: Record<string, string>;
}

/** `SHOW … [FROM|IN path] [NOT] [I]LIKE 'pattern'` */
export interface SqlShowClause {
  path?: string[];
  like?: { pattern: string; not: boolean; caseInsensitive: boolean };
}

/** The shape of one statement: its kind and the details some kinds carry. */
export interface SqlStatementShape {
  /** SELECT, INSERT, STATEMENT SET, CREATE TABLE, CREATE TABLE AS, ALTER TABLE ADD, SHOW TABLES, ADD JAR, … */
  kind: string;
  /** the parser's node (SqlSelect, RichSqlInsert, …) or Flink's command operation (SetOperation, …) */
  node: string;
  /** EXECUTE INSERT …, EXECUTE STATEMENT SET … */
  execute?: boolean;
  table?: SqlTableDefinition;
  view?: SqlViewDefinition;
  /** the query of CREATE TABLE … AS and CREATE VIEW … AS: to the end of the statement */
  query?: SqlTextRange;
  drop?: { ifExists: boolean; temporary: boolean };
  show?: SqlShowClause;
  /** DESCRIBE EXTENDED */
  extended?: boolean;
  explainDetails?: string[];
  explained?: SqlStatementShape;
  members?: SqlStatementShape[];
  function?: { className: string; language: string; temporary: boolean; using: string[] };
  jar?: string;
  overwrite?: boolean;
  targetColumns?: string[];
}

export interface SqlAnalysis extends SqlStatementShape {
  /** the statement without leading and trailing whitespace, comments and semicolons */
  text: SqlTextRange;
  references: SqlReference[];
  options: SqlOption[];
  hints: SqlHint[];
  /** JOIN, CROSS_JOIN, TEMPORAL_JOIN, GROUP_BY, DISTINCT, OVER, ORDER_BY, LIMIT, SET_OPERATION, MATCH_RECOGNIZE */
  features: string[];
}

/** Something a person would read differently from Flink (the policy refuses these). */
export interface SqlTextIssue {
  kind:
    | 'unsupported_character'
    | 'double_slash_comment'
    | 'comment_end'
    | 'double_quote'
    | 'unicode_escape'
    | 'adjacent_strings'
    | 'unplain_hint';
  line: number;
  column: number;
  offset: number;
  /** unsupported_character: `U+200B` */
  codePoint?: string;
}

export interface SqlAnalysisError {
  kind: 'syntax' | 'empty' | 'multiple_statements' | 'too_complex';
  message: string;
  line?: number;
  column?: number;
  /** syntax: some of the tokens Flink expected there */
  expected?: string[];
  /** multiple_statements */
  count?: number;
  /** too_complex: tokens, nesting, depth, parse_time or stack */
  measure?: string;
  limit?: number;
}

/** The analyzer's answer to one statement: its analysis, or why Flink's parser would not take it. */
export interface SqlAnalysisAnswer {
  analysis?: SqlAnalysis;
  error?: SqlAnalysisError;
  issue?: SqlTextIssue;
  measures: { tokens: number; nesting: number; depth?: number };
}

/** Bounds the analyzer applies to a statement's text (sql-limits.ts). */
export interface SqlAnalysisLimits {
  maxTokens: number;
  maxNesting: number;
  maxDepth: number;
}

/** What the analyzer checks a statement against: the session Riffle would install for it. */
export interface SqlValidationRequest {
  statement: string;
  /** run first, in order: CREATE CATALOG, CREATE DATABASE, USE, CREATE TABLE, CREATE VIEW */
  setup: string[];
  /** Flink configuration of the session (e.g. table.local-time-zone) */
  config?: Record<string, string>;
  /** also plan it: the optimized plan, changelog modes and upsert keys */
  explain?: boolean;
  /** run a DDL statement against the session's in-memory catalog, then describe these paths */
  execute?: boolean;
  describe?: string[][];
}

export interface SqlResolvedColumn {
  name: string;
  /** Flink's SQL rendering of the type without the top-level NOT NULL */
  type: string;
  nullable: boolean;
  kind: 'physical' | 'computed' | 'metadata';
  expression?: string;
  metadataKey?: string;
  virtual?: boolean;
  comment?: string;
}

/** A table or view as Flink resolved it in the validation session. */
export interface SqlResolvedTable {
  path: string[];
  exists: boolean;
  tableKind?: 'TABLE' | 'VIEW';
  columns?: SqlResolvedColumn[];
  primaryKey?: { name: string; columns: string[] };
  watermarks?: { column: string; expression: string }[];
  distribution?: { kind: string; columns: string[]; buckets?: number };
  partitionKeys?: string[];
  options?: Record<string, string>;
  comment?: string;
}

export interface SqlPlanOutput {
  node: string;
  /** what the sink consumes or the query produces: `I`, `I,UA,D`, … */
  changelogMode?: string;
  /** null: unknown */
  upsertKeys: string[][] | null;
  fields: string[];
}

export interface SqlPlan {
  /** Flink's EXPLAIN text */
  text: string;
  outputs: SqlPlanOutput[];
}

export interface SqlValidationError {
  kind: 'syntax' | 'validation' | 'setup';
  message: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  setupIndex?: number;
}

export interface SqlValidationAnswer {
  valid: boolean;
  operation?: string;
  /** a query's result columns */
  schema?: SqlResolvedColumn[];
  plan?: SqlPlan;
  described?: SqlResolvedTable[];
  error?: SqlValidationError;
}
