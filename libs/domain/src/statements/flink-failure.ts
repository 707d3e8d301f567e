/**
 * Who has to act on a failed statement (the leading managed service's split): USER errors are the
 * statement's own (a cast that cannot succeed, a division by zero, a record its format cannot read, a
 * NULL written into a NOT NULL column): Flink's restarts cannot fix them, so the statement fails at once
 * with Flink's root cause. SYSTEM errors (a lost TaskManager, a timeout) are Riffle's: Flink's restart
 * strategy carries on.
 */
export type FailureClass = 'USER' | 'SYSTEM';

/** one failure as Flink's exception history reports it, reduced to its innermost cause */
export interface FlinkFailure {
  /** the innermost cause's class, fully qualified (e.g. java.lang.NumberFormatException) */
  rootClass: string;
  /** the innermost cause's message, one readable line */
  message: string;
  timestamp: number;
}

/** innermost causes that only a change of the SQL or of the data can fix */
const USER_CLASSES = new Set([
  'java.lang.NumberFormatException',
  'java.lang.ArithmeticException',
  'java.time.DateTimeException',
  'java.time.format.DateTimeParseException',
  'org.apache.flink.table.api.ValidationException',
  'org.apache.flink.table.api.TableRuntimeException',
  'org.apache.flink.table.api.DataTypeMismatchException',
  'org.apache.kafka.common.errors.RecordTooLargeException',
  'org.apache.kafka.common.errors.TopicAuthorizationException',
  'org.apache.kafka.common.errors.GroupAuthorizationException',
  'org.apache.kafka.common.errors.TransactionalIdAuthorizationException',
]);
/** messages of broader classes that still name a user error */
const USER_MESSAGES = [
  /is NOT NULL, however, a null value is being written into it/,
  /Failed to deserialize/i,
  /Unknown magic byte/i,
  /Could not (?:parse|cast)/i,
];

export function classifyFailure(failure: Pick<FlinkFailure, 'rootClass' | 'message'>): FailureClass {
  if (USER_CLASSES.has(failure.rootClass)) return 'USER';
  return USER_MESSAGES.some((pattern) => pattern.test(failure.message)) ? 'USER' : 'SYSTEM';
}

/** A statement's exceptions as shown to users: one entry per distinct cause, with how often it happened. */
export interface CollapsedFailure {
  name: string;
  message: string;
  kind: FailureClass;
  count: number;
  /** the latest occurrence */
  timestamp: number;
}

/** Flink's history (any order) as distinct causes, newest first: ten restarts of one cast error are one entry. */
export function collapseFailures(failures: readonly FlinkFailure[]): CollapsedFailure[] {
  const byCause = new Map<string, CollapsedFailure>();
  for (const f of failures) {
    const key = `${f.rootClass}\u0000${f.message}`;
    const seen = byCause.get(key);
    if (seen) {
      seen.count++;
      seen.timestamp = Math.max(seen.timestamp, f.timestamp);
    } else
      byCause.set(key, {
        name: f.rootClass,
        message: f.message,
        kind: classifyFailure(f),
        count: 1,
        timestamp: f.timestamp,
      });
  }
  return [...byCause.values()].sort((a, b) => b.timestamp - a.timestamp);
}

/** A restarting job whose newest failure is the user's: the statement fails now, not after every restart. */
export function userFailureOf(failures: readonly FlinkFailure[]): CollapsedFailure | undefined {
  const [newest] = collapseFailures(failures);
  return newest?.kind === 'USER' ? newest : undefined;
}

/** the status detail of a statement its own SQL or data made fail */
export function failureDetail(failure: Pick<CollapsedFailure, 'name' | 'message' | 'kind'>): string {
  const who =
    failure.kind === 'USER'
      ? 'The statement failed on its own SQL or data (a user error; Flink would fail it again on every restart)'
      : 'The Flink job failed';
  return `${who}: ${failure.message}`;
}
