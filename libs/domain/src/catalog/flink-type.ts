import { RiffleError } from '../riffle-error';
import { quoteIdentifier } from './flink-columns';

/**
 * Flink SQL data types as text (a column type of a CREATE TABLE) ⇄ a small tree. Parsing follows Flink's
 * defaults: `VARCHAR`/`CHAR`/`BINARY`/`VARBINARY` without a length have length 1 (so DESIGN's "raw
 * VARBINARY" columns are `BYTES`, i.e. `VARBINARY(2147483647)`), `DECIMAL` is `DECIMAL(10, 0)`, `TIME` is
 * `TIME(0)`, `TIMESTAMP` and `TIMESTAMP_LTZ` have precision 6. Types Riffle cannot store in a topic
 * (INTERVAL, MULTISET, TIMESTAMP WITH TIME ZONE, RAW, NULL, user-defined types) parse as `UNSUPPORTED`, so the
 * caller can name the column in its error.
 *
 * {@link renderFlinkType} prints the canonical form the registry mappings produce (and Flink's DESCRIBE
 * prints): `STRING`, `BYTES`, `DECIMAL(10, 2)`, `ROW<\`a\` INT NOT NULL>`, `… NOT NULL` when not nullable.
 */
export type FlinkType = { nullable: boolean } & (
  | { root: 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'DATE' }
  | { root: 'CHAR' | 'VARCHAR' | 'BINARY' | 'VARBINARY'; length: number }
  | { root: 'DECIMAL'; precision: number; scale: number }
  | { root: 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'; precision: number }
  | { root: 'ARRAY' | 'MULTISET'; element: FlinkType }
  | { root: 'MAP'; key: FlinkType; value: FlinkType }
  | { root: 'ROW'; fields: FlinkRowField[] }
  | { root: 'UNSUPPORTED'; text: string }
);

export interface FlinkRowField {
  name: string;
  type: FlinkType;
}

/** VARCHAR(MAX) and VARBINARY(MAX): Flink prints them as STRING and BYTES. */
export const MAX_LENGTH = 2_147_483_647;

const SIMPLE: Readonly<Record<string, FlinkType['root']>> = {
  BOOLEAN: 'BOOLEAN',
  TINYINT: 'TINYINT',
  SMALLINT: 'SMALLINT',
  INT: 'INT',
  INTEGER: 'INT',
  BIGINT: 'BIGINT',
  FLOAT: 'FLOAT',
  REAL: 'FLOAT',
  DOUBLE: 'DOUBLE',
  DATE: 'DATE',
};

const LENGTHED: Readonly<Record<string, 'CHAR' | 'VARCHAR' | 'BINARY' | 'VARBINARY'>> = {
  CHAR: 'CHAR',
  CHARACTER: 'CHAR',
  VARCHAR: 'VARCHAR',
  BINARY: 'BINARY',
  VARBINARY: 'VARBINARY',
};

const invalidType = (text: string, why: string) =>
  new RiffleError('INVALID_COLUMN_TYPE', 'invalid', `"${text}" is not a Flink SQL type: ${why}.`, {
    type: text,
  });

export function parseFlinkType(text: string): FlinkType {
  const parser = new TypeParser(text);
  const type = parser.type();
  parser.end();
  return type;
}

export function renderFlinkType(type: FlinkType): string {
  return type.nullable ? renderBare(type) : `${renderBare(type)} NOT NULL`;
}

function renderBare(type: FlinkType): string {
  switch (type.root) {
    case 'CHAR':
    case 'BINARY':
      return `${type.root}(${type.length})`;
    case 'VARCHAR':
      return type.length === MAX_LENGTH ? 'STRING' : `VARCHAR(${type.length})`;
    case 'VARBINARY':
      return type.length === MAX_LENGTH ? 'BYTES' : `VARBINARY(${type.length})`;
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})`;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return `${type.root}(${type.precision})`;
    case 'ARRAY':
    case 'MULTISET':
      return `${type.root}<${renderFlinkType(type.element)}>`;
    case 'MAP':
      return `MAP<${renderFlinkType(type.key)}, ${renderFlinkType(type.value)}>`;
    case 'ROW':
      return `ROW<${type.fields.map((f) => `${quoteIdentifier(f.name)} ${renderFlinkType(f.type)}`).join(', ')}>`;
    case 'UNSUPPORTED':
      return type.text;
    default:
      return type.root;
  }
}

/** Identifiers, backticked identifiers, numbers, string literals (ROW field descriptions), punctuation. */
function tokenize(text: string): string[] {
  const pattern = /\s+|(`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z_$][\w$]*|\d+|[<>(),])|(\S)/g;
  const tokens: string[] = [];
  for (const match of text.matchAll(pattern)) {
    if (match[2] !== undefined) throw invalidType(text, `unexpected "${match[2]}"`);
    if (match[1] !== undefined) tokens.push(match[1]);
  }
  return tokens;
}

class TypeParser {
  private readonly tokens: string[];
  private position = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  type(): FlinkType {
    let type = this.bareType();
    // postfix collection syntax: `INT ARRAY`, `STRING MULTISET`
    for (let word = this.peekWord(); word === 'ARRAY' || word === 'MULTISET'; word = this.peekWord()) {
      this.position++;
      type = { root: word, element: type, nullable: this.nullability() };
    }
    return type;
  }

  end(): void {
    if (this.peek() !== undefined) throw invalidType(this.text, `unexpected "${this.peek()}"`);
  }

  private bareType(): FlinkType {
    const start = this.position;
    const word = this.word();
    const simple = SIMPLE[word];
    if (simple) {
      if (word === 'DOUBLE' && this.peekWord() === 'PRECISION') this.position++;
      return { root: simple, nullable: this.nullability() } as FlinkType;
    }
    const lengthed = LENGTHED[word];
    if (lengthed) {
      const root = word === 'CHARACTER' && this.acceptWord('VARYING') ? 'VARCHAR' : lengthed;
      const [length = 1] = this.numbers(1, 1, MAX_LENGTH);
      return { root, length, nullable: this.nullability() };
    }
    if (word === 'STRING') return { root: 'VARCHAR', length: MAX_LENGTH, nullable: this.nullability() };
    if (word === 'BYTES') return { root: 'VARBINARY', length: MAX_LENGTH, nullable: this.nullability() };
    if (word === 'DECIMAL' || word === 'DEC' || word === 'NUMERIC') {
      const [precision = 10, scale = 0] = this.numbers(2, 0, 38);
      if (precision < 1) throw invalidType(this.text, 'a DECIMAL has at least 1 digit');
      if (scale > precision) throw invalidType(this.text, `scale ${scale} exceeds precision ${precision}`);
      return { root: 'DECIMAL', precision, scale, nullable: this.nullability() };
    }
    if (word === 'TIME') {
      const [precision = 0] = this.numbers(1, 0, 9);
      this.acceptWords('WITHOUT', 'TIME', 'ZONE');
      return { root: 'TIME', precision, nullable: this.nullability() };
    }
    if (word === 'TIMESTAMP' || word === 'TIMESTAMP_LTZ') return this.timestamp(word, start);
    if (word === 'ARRAY' || word === 'MULTISET') {
      const [element] = this.typeArguments(1);
      return { root: word, element: element!, nullable: this.nullability() };
    }
    if (word === 'MAP') {
      const [key, value] = this.typeArguments(2);
      return { root: 'MAP', key: key!, value: value!, nullable: this.nullability() };
    }
    if (word === 'ROW') return this.row();
    return this.unsupported(start);
  }

  private timestamp(word: 'TIMESTAMP' | 'TIMESTAMP_LTZ', start: number): FlinkType {
    const [precision = 6] = this.numbers(1, 0, 9);
    let root: 'TIMESTAMP' | 'TIMESTAMP_LTZ' = word;
    if (word === 'TIMESTAMP' && this.acceptWords('WITH', 'LOCAL', 'TIME', 'ZONE')) root = 'TIMESTAMP_LTZ';
    else if (word === 'TIMESTAMP' && this.peekWord() === 'WITH') return this.unsupported(start);
    else if (word === 'TIMESTAMP') this.acceptWords('WITHOUT', 'TIME', 'ZONE');
    return { root, precision, nullable: this.nullability() };
  }

  /** `ROW<a INT, b STRING 'description'>` or `ROW(a INT, b STRING)` */
  private row(): FlinkType {
    const close = this.peek() === '<' ? '>' : this.peek() === '(' ? ')' : undefined;
    if (!close) throw invalidType(this.text, 'ROW needs its fields in <…> or (…)');
    this.position++;
    const fields: FlinkRowField[] = [];
    while (this.peek() !== close) {
      if (fields.length > 0) this.expect(',');
      const raw = this.next();
      const name = raw.startsWith('`') ? raw.slice(1, -1).replaceAll('``', '`') : raw;
      if (!/^[`A-Za-z_$]/.test(raw)) throw invalidType(this.text, `expected a ROW field name, got "${raw}"`);
      if (fields.some((field) => field.name === name)) {
        throw invalidType(this.text, `the ROW field "${name}" appears twice`);
      }
      fields.push({ name, type: this.type() });
      if (this.peek()?.startsWith("'")) this.position++; // field description
    }
    this.position++;
    return { root: 'ROW', fields, nullable: this.nullability() };
  }

  /** Consumes a type Riffle does not map (INTERVAL …, RAW(…), NULL, a user type) up to where it ends. */
  private unsupported(start: number): FlinkType {
    let depth = 0;
    for (let token = this.peek(); token !== undefined; token = this.peek()) {
      if (depth === 0 && (token === ',' || token === '>' || token === ')')) break;
      if (
        depth === 0 &&
        this.peekWord() === 'NOT' &&
        this.tokens[this.position + 1]?.toUpperCase() === 'NULL'
      )
        break;
      if (token === '<' || token === '(') depth++;
      if (token === '>' || token === ')') depth--;
      this.position++;
    }
    const text = this.tokens.slice(start, this.position).join(' ');
    return { root: 'UNSUPPORTED', text, nullable: this.nullability() };
  }

  private typeArguments(count: number): FlinkType[] {
    const close = this.peek() === '<' ? '>' : this.peek() === '(' ? ')' : undefined;
    if (!close) throw invalidType(this.text, 'a collection type needs its element type in <…>');
    this.position++;
    const types = [this.type()];
    while (types.length < count) {
      this.expect(',');
      types.push(this.type());
    }
    this.expect(close);
    return types;
  }

  /** `(n)` or `(n, m)` with each number in [min, max]; nothing if there is no `(`. */
  private numbers(most: number, min: number, max: number): number[] {
    if (this.peek() !== '(') return [];
    this.position++;
    const numbers: number[] = [];
    for (;;) {
      const token = this.next();
      const value = /^\d+$/.test(token) ? Number(token) : Number.NaN;
      if (!(value >= min && value <= max)) {
        throw invalidType(this.text, `expected a number from ${min} to ${max}, got "${token}"`);
      }
      numbers.push(value);
      if (numbers.length === most || this.peek() !== ',') break;
      this.position++;
    }
    this.expect(')');
    return numbers;
  }

  private nullability(): boolean {
    if (this.acceptWords('NOT', 'NULL')) return false;
    this.acceptWord('NULL');
    return true;
  }

  private acceptWords(...words: string[]): boolean {
    const matches = words.every((word, i) => this.tokens[this.position + i]?.toUpperCase() === word);
    if (matches) this.position += words.length;
    return matches;
  }

  private acceptWord(word: string): boolean {
    return this.acceptWords(word);
  }

  private word(): string {
    const token = this.next();
    if (!/^[A-Za-z_]/.test(token)) throw invalidType(this.text, `expected a type name, got "${token}"`);
    return token.toUpperCase();
  }

  private peekWord(): string | undefined {
    return this.peek()?.toUpperCase();
  }

  private expect(token: string): void {
    const actual = this.next();
    if (actual !== token) throw invalidType(this.text, `expected "${token}", got "${actual}"`);
  }

  private next(): string {
    const token = this.tokens[this.position++];
    if (token === undefined) throw invalidType(this.text, 'it ends too early');
    return token;
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }
}
