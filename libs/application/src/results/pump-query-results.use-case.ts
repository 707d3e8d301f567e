import {
  collapseFailures,
  decideResultStep,
  failureDetail,
  fitRows,
  type CollapsedFailure,
  QUIET_BEFORE_JOB_CHECK_MS,
  type ResultLimits,
  resultPollDelayMs,
  type ResultTruncation,
  RiffleError,
  truncationDetail,
  truncationOfCut,
  userFailureOf,
} from '@riffle/domain';
import type { StatementEngines } from '../compute/fleet.ports';
import type { ForegroundQuery, StatementEngine } from '../statements/statement-engine.port';
import type { ResultRow, StatementRecord, StatementRepository } from '../statements/statement.ports';
import type { ResultStore, ResultStream } from './result-store.port';

export interface PumpOptions {
  /** a query nobody reads for this long is stopped (DESIGN: 5 minutes) */
  idleTimeoutMs: number;
  limits: ResultLimits;
  /** one step fetches at most this many gateway pages … */
  maxPagesPerStep: number;
  /** … and stops fetching after this long, so a busy stream shares its worker with others */
  stepBudgetMs: number;
}

/** what the results queue does next with the stream: another step after a pause, or nothing */
export type PumpOutcome = { recheckInMs: number } | { done: true };
const done: PumpOutcome = { done: true };

/** job states in which the query's job may be failing: only then are its exceptions read */
const TROUBLED = new Set(['RESTARTING', 'FAILING', 'FAILED']);

const resultsLostMessage =
  "The query's result stream was lost (the SQL Gateway holding it restarted); submit it again.";

/**
 * One short step of a running query's result stream (DESIGN §9.1): decide (stopped, idle, capped), fetch
 * a bounded number of pages from the SQL Gateway into result pages, and say when to look again. Steps
 * are queued per stream with a job id, so one stream has one step at a time; any scheduler replica can
 * take the next one, because where the stream stands lives in Postgres and the gateway answers a
 * repeated token with the page it answered before. A reconcile pass never waits on a query's rows.
 */
export class PumpQueryResults {
  constructor(
    private readonly statements: StatementRepository,
    private readonly results: ResultStore,
    private readonly engines: StatementEngines,
    private readonly options: PumpOptions,
  ) {}

  async execute(uid: string): Promise<PumpOutcome> {
    const statement = await this.statements.findByUid(uid);
    if (!statement || statement.executionMode !== 'foreground' || statement.phase !== 'RUNNING') return done;
    const scope = { organizationId: statement.organizationId, environmentId: statement.environmentId };
    // what the environment's results hold is read once a step; this stream's own growth is counted here
    const [stream, environmentBytes] = await Promise.all([
      this.results.find(uid),
      this.results.environmentBytes(scope),
    ]);
    if (!stream || stream.state !== 'OPEN') return done;
    const engine = await this.engines.forCell(stream.cellId);
    const query: ForegroundQuery = { ref: stream.gatewayRef, jobId: stream.jobId ?? undefined };
    const started = Date.now();
    let { nextToken: token } = stream;
    const kept = { rows: stream.rows, bytes: stream.bytes };
    let lastRowsAt = stream.lastRowsAt.getTime();
    const othersBytes = environmentBytes - stream.bytes;
    for (let pages = 0; ; pages++) {
      const step = decideResultStep({
        stopped: statement.stopped,
        kept,
        environmentBytes: othersBytes + kept.bytes,
        lastReadMs: (statement.lastReadAt ?? stream.openedAt).getTime(),
        nowMs: Date.now(),
        idleTimeoutMs: this.options.idleTimeoutMs,
        limits: this.options.limits,
      });
      if (step.type === 'close') return this.close(statement, engine, query, step.detail, step.truncation);
      if (pages >= this.options.maxPagesPerStep || Date.now() - started >= this.options.stepBudgetMs)
        return { recheckInMs: 0 }; // rows keep coming: the next step follows at once, behind other streams
      let page: Awaited<ReturnType<StatementEngine['fetchPage']>>;
      try {
        page = await engine.fetchPage(query, token);
      } catch (error) {
        return this.fetchFailed(statement, stream, engine, query, error);
      }
      if (page.notReady) return this.quiet(statement, stream, engine, query, lastRowsAt);
      const sizes = page.rows.map(rowBytes);
      const fit = fitRows(sizes, step.room);
      const rows = fit.cut ? page.rows.slice(0, fit.take) : page.rows;
      const last = page.nextToken === null;
      const nextToken = page.nextToken ?? token;
      const moved = await this.results.append(uid, token, { rows, bytes: fit.bytes, last }, nextToken);
      if (!moved) return done; // another step got there first, or the statement is gone
      kept.rows += rows.length;
      kept.bytes += fit.bytes;
      if (rows.length) lastRowsAt = Date.now();
      if (fit.cut) {
        // the rows past the cut are not kept, and the gateway will not answer them again: stop here
        const truncation = truncationOfCut(rows.length, step.room);
        return this.close(
          statement,
          engine,
          query,
          truncationDetail(truncation, this.options.limits),
          truncation,
        );
      }
      if (last) return this.complete(statement, engine, query);
      token = nextToken;
      if (page.rows.length === 0) return this.quiet(statement, stream, engine, query, lastRowsAt);
    }
  }

  /** nothing new this step: a job that keeps failing on the user's own error ends here, else look again soon */
  private async quiet(
    statement: StatementRecord,
    stream: ResultStream,
    engine: StatementEngine,
    query: ForegroundQuery,
    lastRowsAt: number,
  ): Promise<PumpOutcome> {
    // a job failing over produces no rows: only a stream quiet for a while is worth asking Flink about
    const quietFor = Date.now() - lastRowsAt;
    const failure =
      stream.jobId && quietFor >= QUIET_BEFORE_JOB_CHECK_MS
        ? await this.jobFailure(engine, stream.jobId)
        : undefined;
    if (failure) return this.fail(statement, engine, query, failure);
    return { recheckInMs: resultPollDelayMs(quietFor) };
  }

  /**
   * Why a query's job cannot go on, if it cannot: a FAILED job (any cause), or a restarting one whose
   * newest failure is the user's (a restart cannot fix a cast error; it would only spend Flink's
   * restart attempts first).
   */
  private async jobFailure(engine: StatementEngine, jobId: string): Promise<CollapsedFailure | undefined> {
    const state = await engine.jobState(jobId);
    if (!state || !TROUBLED.has(state)) return undefined;
    const failures = await engine.failures(jobId);
    if (state === 'FAILED') return collapseFailures(failures)[0] ?? unknownFailure();
    return userFailureOf(failures);
  }

  private async fetchFailed(
    statement: StatementRecord,
    stream: ResultStream,
    engine: StatementEngine,
    query: ForegroundQuery,
    error: unknown,
  ): Promise<PumpOutcome> {
    if (error instanceof RiffleError && error.code === 'QUERY_RESULTS_GONE') {
      // the gateway forgot the operation: its job may still run, holding slots nobody reads
      if (stream.jobId) await engine.cancel(stream.jobId).catch(() => undefined);
      return this.end(statement, 'FAILED', resultsLostMessage, {
        name: 'RESULTS_LOST',
        message: resultsLostMessage,
        kind: 'SYSTEM',
        count: 1,
      });
    }
    const failure = stream.jobId ? await this.jobFailure(engine, stream.jobId) : undefined;
    if (failure) return this.fail(statement, engine, query, failure);
    if (error instanceof RiffleError && error.code === 'QUERY_JOB_FAILED')
      return this.fail(statement, engine, query, unknownFailure());
    throw error; // the gateway or the JobManager did not answer: the step is retried with backoff
  }

  private async fail(
    statement: StatementRecord,
    engine: StatementEngine,
    query: ForegroundQuery,
    failure: CollapsedFailure,
  ): Promise<PumpOutcome> {
    // the job is failing over or failed: its tasks are not starting, so it is cancelled at once (closing
    // the operation first would wait for tasks to start, which a job failing on every start never does)
    if (query.jobId) await engine.cancel(query.jobId).catch(() => undefined);
    await this.closeQuery(engine, query);
    return this.end(statement, 'FAILED', failureDetail(failure), failure);
  }

  private async complete(
    statement: StatementRecord,
    engine: StatementEngine,
    query: ForegroundQuery,
  ): Promise<PumpOutcome> {
    await this.closeQuery(engine, query);
    return this.end(statement, 'COMPLETED', 'All results are available.');
  }

  private async close(
    statement: StatementRecord,
    engine: StatementEngine,
    query: ForegroundQuery,
    detail: string,
    truncation?: ResultTruncation,
  ): Promise<PumpOutcome> {
    await this.closeQuery(engine, query);
    return this.end(statement, 'STOPPED', detail, undefined, truncation);
  }

  /** closing the operation cancels the query's job; one already gone is fine */
  private async closeQuery(engine: StatementEngine, query: ForegroundQuery): Promise<void> {
    await engine.closeForeground(query).catch(async () => {
      if (query.jobId) await engine.cancel(query.jobId).catch(() => undefined);
    });
  }

  /** the stream ends (its last page marked), then the statement; whoever ends the stream records the phase */
  private async end(
    statement: StatementRecord,
    phase: 'COMPLETED' | 'STOPPED' | 'FAILED',
    detail: string,
    exception?: Pick<CollapsedFailure, 'name' | 'message' | 'kind' | 'count'>,
    truncation?: ResultTruncation,
  ): Promise<PumpOutcome> {
    if (!(await this.results.end(statement.uid, truncation))) return done;
    if (exception)
      await this.statements.addException(statement.uid, exception.name, exception.message, {
        kind: exception.kind,
        count: exception.count,
      });
    await this.statements.recordStatus(statement.uid, {
      phase,
      detail,
      endTime: new Date(),
      currentCfu: 0,
    });
    return done;
  }
}

/** a row's size as stored (its JSON), for the byte caps */
export function rowBytes(row: ResultRow): number {
  return Buffer.byteLength(JSON.stringify(row.row)) + 2;
}

function unknownFailure(): CollapsedFailure {
  return {
    name: 'JOB_FAILED',
    message: 'The Flink job failed without a recorded cause.',
    kind: 'SYSTEM',
    count: 1,
    timestamp: Date.now(),
  };
}
