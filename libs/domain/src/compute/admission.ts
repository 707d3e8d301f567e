import { RiffleError } from '../riffle-error';

/** A PENDING statement waiting to enter its compute pool. */
export interface PendingStatement {
  uid: string;
  /** the CFUs it starts with (see `initialParallelism`) */
  requestedCfu: number;
  /** when it was submitted; ties are broken by uid so the order is total */
  submittedAt: Date | number;
}

export interface AdmissionInput {
  /** `currentCfu`: what the pool's admitted and running statements hold; it may exceed `maxCfu` after a shrink */
  pool: { maxCfu: number; currentCfu: number };
  queue: readonly PendingStatement[];
}

export interface AdmittedStatement {
  uid: string;
  requestedCfu: number;
}

export interface WaitingStatement {
  uid: string;
  scalingState: 'POOL_EXHAUSTED';
  /** for status.detail and status.scaling_status.reason, e.g. "waiting: pool exhausted (10/10 CFU) …" */
  detail: string;
  /** statements waiting ahead of it: the later in the queue, the less often it needs to look again */
  ahead: number;
}

export interface AdmissionResult {
  /** may start now, in submission order */
  admitted: AdmittedStatement[];
  /** stay PENDING, in submission order */
  waiting: WaitingStatement[];
  /** the pool's CFUs once the admitted statements hold theirs */
  cfuAfter: number;
}

function checkCfu(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0)
    throw new RiffleError(
      'INVALID_ADMISSION_INPUT',
      'invalid',
      `${what} must be a whole number ≥ 0, got ${value}.`,
    );
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * DESIGN §5 admission: which PENDING statements may start now. Pure; the caller serializes calls per pool
 * (one transaction or lock per pool) so two schedulers never admit into the same room.
 *
 * Choices:
 * - Strict submission order, no overtaking: the first statement that does not fit blocks every later
 *   one, even a smaller one that would fit. Backfilling would use the pool better for a while, but a
 *   large statement could then wait forever behind a stream of small ones; FIFO makes the wait bounded
 *   and explainable ("3 statements ahead of you").
 * - Except a statement that can never fit (it asks for more than `maxCfu` itself): it does not block
 *   the queue, because nothing but a change to the pool (raise max_cfu) or the statement can help it;
 *   its detail says so.
 * - Running statements are never evicted: their CFUs are in `currentCfu` and only ever subtracted from
 *   the room left.
 */
export function admit(input: AdmissionInput): AdmissionResult {
  const { maxCfu, currentCfu } = input.pool;
  checkCfu(maxCfu, 'pool.maxCfu');
  checkCfu(currentCfu, 'pool.currentCfu');
  input.queue.forEach((s) => {
    checkCfu(s.requestedCfu, `requestedCfu of ${s.uid}`);
    if (s.requestedCfu < 1)
      throw new RiffleError(
        'INVALID_ADMISSION_INPUT',
        'invalid',
        `requestedCfu of ${s.uid} must be at least 1.`,
      );
  });

  const ordered = [...input.queue].sort(
    (a, b) => +a.submittedAt - +b.submittedAt || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0),
  );
  const admitted: AdmittedStatement[] = [];
  const waiting: WaitingStatement[] = [];
  let used = currentCfu;
  /** set once a statement does not fit: everything after it waits too */
  let blocked = false;
  /** statements already waiting ahead of the current one */
  let ahead = 0;

  for (const { uid, requestedCfu } of ordered) {
    if (requestedCfu > maxCfu) {
      waiting.push({
        uid,
        scalingState: 'POOL_EXHAUSTED',
        detail: `waiting: needs ${requestedCfu} CFU, more than the pool's max_cfu ${maxCfu}; raise max_cfu to start it`,
        ahead: 0,
      });
      continue;
    }
    if (!blocked && used + requestedCfu <= maxCfu) {
      used += requestedCfu;
      admitted.push({ uid, requestedCfu });
      continue;
    }
    blocked = true;
    const queueNote = ahead ? `; ${plural(ahead, 'statement')} ahead in the queue` : '';
    waiting.push({
      uid,
      scalingState: 'POOL_EXHAUSTED',
      detail: `waiting: pool exhausted (${used}/${maxCfu} CFU); needs ${requestedCfu} CFU${queueNote}`,
      ahead,
    });
    ahead++;
  }
  return { admitted, waiting, cfuAfter: used };
}

/**
 * How soon a waiting statement looks at its pool again: the head of the queue every 2 s, each place
 * further back a little later, at most every 30 s. Only the head can be admitted next (FIFO), so the
 * queue's tail costs the scheduler almost nothing while a tenant has hundreds of statements waiting.
 */
export function admissionRecheckMs(ahead: number): number {
  return Math.min(30_000, 2_000 + 500 * Math.max(0, ahead));
}
