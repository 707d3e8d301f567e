/**
 * DESIGN §5 admission: statements enter their compute pool in submission order. A statement that does
 * not fit under `max_cfu` waits, and so does every statement submitted after it, even a smaller one
 * that would fit: no overtaking, so a large statement is never starved by a stream of small ones.
 * Running statements are never evicted: their CFUs are simply counted in `currentCfu`.
 */
export interface AdmissionQueueEntry {
  uid: string;
  requestedCfu: number;
  /** epoch ms; ties broken by uid */
  submittedAt: number;
}

export type AdmissionDecision = { admitted: true } | { admitted: false; reason: string };

export function admitInOrder(input: {
  pool: { maxCfu: number; currentCfu: number };
  queue: readonly AdmissionQueueEntry[];
}): Map<string, AdmissionDecision> {
  const { maxCfu, currentCfu } = input.pool;
  const ordered = [...input.queue].sort(
    (a, b) => a.submittedAt - b.submittedAt || a.uid.localeCompare(b.uid),
  );
  const decisions = new Map<string, AdmissionDecision>();
  let used = currentCfu;
  let blocked = false;
  for (const entry of ordered) {
    if (!blocked && used + entry.requestedCfu <= maxCfu) {
      used += entry.requestedCfu;
      decisions.set(entry.uid, { admitted: true });
      continue;
    }
    blocked = true;
    decisions.set(entry.uid, {
      admitted: false,
      reason: `waiting: pool exhausted (${used}/${maxCfu} CFU); starts when ${entry.requestedCfu} CFU are free and earlier statements have started`,
    });
  }
  return decisions;
}
