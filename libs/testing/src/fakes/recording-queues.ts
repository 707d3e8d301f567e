import { ResultsQueue, StatementQueue } from '@riffle/application';

/** The scheduler's queues as lists, for unit tests: what a use case asked to run next. */
export class RecordingStatementQueue extends StatementQueue {
  readonly queued: { uid: string; organizationId: string; delayMs?: number; swept?: boolean }[] = [];

  async enqueueReconcile(
    uid: string,
    organizationId: string,
    delayMs?: number,
    options: { swept?: boolean } = {},
  ): Promise<void> {
    this.queued.push({ uid, organizationId, delayMs, swept: options.swept });
  }
}

export class RecordingResultsQueue extends ResultsQueue {
  readonly queued: { uid: string; organizationId: string; delayMs?: number; resumed?: boolean }[] = [];

  async enqueueStep(
    uid: string,
    organizationId: string,
    options: { delayMs?: number; resumed?: boolean } = {},
  ): Promise<void> {
    this.queued.push({ uid, organizationId, ...options });
  }
}
