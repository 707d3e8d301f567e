import { setTimeout as sleep } from 'node:timers/promises';
import { RiffleError } from '@riffle/domain';
import {
  everyTaskRunningOrFinished,
  type JobState,
  JobManagerClient,
  type SavepointStatus,
} from './job-manager.client';
import type { OperationRef, ResultColumn, ResultPage, ResultRow } from './sql-gateway.client';
import { SqlGatewayClient } from './sql-gateway.client';

export interface BackgroundSubmission {
  /** the Flink job name (`pipeline.name`): a statement's job is found again by this name */
  jobName: string;
  /** run first, each to completion, in the same session: CREATE TEMPORARY TABLE … and the like */
  setupStatements: string[];
  statement: string;
  /** applied last, so they win over the defaults below */
  properties?: Record<string, string>;
  savepointPath?: string;
  parallelism?: number;
}

export type ForegroundSubmission = Omit<BackgroundSubmission, 'savepointPath'>;

export interface ForegroundRef extends OperationRef {
  jobId?: string;
  columns: ResultColumn[];
}

/** +I, -U, +U, -D */
export type ChangelogOp = 0 | 1 | 2 | 3;

export interface ResultRowsPage {
  rows: { op: ChangelogOp; row: unknown[] }[];
  /** null once the result is complete */
  nextToken: number | null;
  /** the job has not produced a result yet; ask for the same token again later */
  notReady: boolean;
}

export interface StatementRunnerOptions {
  pollIntervalMs?: number;
  /** how long stop-with-savepoint may take before it counts as failed */
  savepointTimeoutMs?: number;
  /** how long a statement may take to produce its first result page (a job id, a schema) */
  firstPageTimeoutMs?: number;
  /** how long closing a SELECT waits for its job's tasks to start before closing anyway */
  closeGuardMs?: number;
}

const DEFAULTS: Required<StatementRunnerOptions> = {
  pollIntervalMs: 500,
  savepointTimeoutMs: 120_000,
  firstPageTimeoutMs: 60_000,
  closeGuardMs: 30_000,
};
const ENDED = new Set<JobState>(['FINISHED', 'CANCELED', 'FAILED', 'SUSPENDED']);
const STARTING = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING'];
/** Flink's answer to a checkpoint while a subtask is not running: still deploying, or restarting (NOT_ALL_REQUIRED_TASKS_RUNNING) */
const TASKS_NOT_RUNNING = /Not all required tasks are currently running|is not being executed at the moment/;

const OPS: Record<ResultRow['kind'], ChangelogOp> = {
  INSERT: 0,
  UPDATE_BEFORE: 1,
  UPDATE_AFTER: 2,
  DELETE: 3,
};

/**
 * Runs one Riffle statement on a Flink session cluster: a fresh SQL Gateway session per submission
 * (session settings such as `execution.savepoint.path` stick to a session), the environment's tables
 * as setup statements, then the user's SQL. Background jobs outlive their session and are followed
 * through JobManager REST; a foreground SELECT keeps its session until `closeForeground`.
 */
export class FlinkStatementRunner {
  private readonly options: Required<StatementRunnerOptions>;

  constructor(
    private readonly gateway: SqlGatewayClient,
    private readonly jobManager: JobManagerClient,
    options: StatementRunnerOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  async submitBackground(input: BackgroundSubmission): Promise<{ jobId: string }> {
    const session = await this.openSession(input);
    try {
      await this.runSetup(session, input.setupStatements);
      const op = await this.execute(session, input.statement);
      const page = await this.firstPage(op);
      const jobId = page.jobID ?? jobIdIn(page);
      if (jobId) return { jobId };
      throw new RiffleError('STATEMENT_STARTED_NO_JOB', 'invalid', 'the statement started no Flink job');
    } finally {
      // the job lives on without its session; a session that fails to close expires in the gateway
      await this.gateway.closeSession(session).catch(() => undefined);
    }
  }

  /** Starts a SELECT and waits for its first page: the job id and the result schema. */
  async startForeground(input: ForegroundSubmission): Promise<ForegroundRef> {
    const session = await this.openSession(input);
    try {
      await this.runSetup(session, input.setupStatements);
      const op = await this.execute(session, input.statement);
      // the gateway keeps the last page it served, so fetchPage(ref, 0) answers this same page again
      const page = await this.firstPage(op);
      return { ...op, jobId: page.jobID, columns: page.results?.columns ?? [] };
    } catch (error) {
      await this.gateway.closeSession(session).catch(() => undefined);
      throw error;
    }
  }

  /**
   * One page of a SELECT's rows. Fetching a token again answers the page it answered before, so a
   * fetch repeated after a crash loses nothing. A gateway that no longer knows the operation (it
   * restarted, or the operation was closed) answers QUERY_RESULTS_GONE; a query whose job failed,
   * QUERY_JOB_FAILED (the job's own exceptions say why).
   */
  async fetchPage(ref: OperationRef, token: number): Promise<ResultRowsPage> {
    const page = await this.gateway.fetchResults(ref, token).catch((error: unknown) => {
      if (
        flinkSays(error, /Session '[^']*' does not exist|Can not find the submitted operation|does not exist/)
      )
        throw new RiffleError(
          'QUERY_RESULTS_GONE',
          'not_found',
          "The SQL Gateway no longer holds the query's results (it restarted, or the query was closed).",
        );
      if (flinkSays(error, /Job failed \(JobID|JobExecutionException|ProgramInvocationException/))
        throw new RiffleError('QUERY_JOB_FAILED', 'invalid', "The query's Flink job failed.");
      throw error;
    });
    if (page.resultType === 'NOT_READY') return { rows: [], nextToken: token, notReady: true };
    const rows = (page.results?.data ?? []).map((r) => ({ op: OPS[r.kind], row: r.fields }));
    const nextToken = page.resultType === 'EOS' ? null : (tokenOf(page.nextResultUri) ?? token + 1);
    return { rows, nextToken, notReady: false };
  }

  /** Closing a running SELECT's operation cancels its job; closing twice is fine. */
  async closeForeground(ref: OperationRef & { jobId?: string }): Promise<void> {
    if (ref.jobId) await this.untilSafeToCancel(ref.jobId);
    await this.gateway.closeOperation(ref).catch(ignoreAlreadyClosed);
    await this.gateway.closeSession(ref.sessionHandle).catch(ignoreAlreadyClosed);
  }

  /**
   * Stop-with-savepoint, waited for: answers the savepoint to resume from. A job whose subtasks are not
   * all running yet (still deploying, or in a failover) refuses the checkpoint; that stop is tried again
   * once every subtask runs, within the same deadline.
   */
  async stop(jobId: string): Promise<string> {
    const deadline = Date.now() + this.options.savepointTimeoutMs;
    for (;;) {
      const triggerId = await this.jobManager.stopWithSavepoint(jobId);
      const outcome = await this.savepointOutcome(jobId, triggerId, deadline);
      if (outcome.state === 'COMPLETED') return outcome.location;
      if (!TASKS_NOT_RUNNING.test(outcome.reason)) throw savepointFailed(jobId, outcome.reason);
      await this.untilEveryTaskRuns(jobId, deadline, outcome.reason);
    }
  }

  /** Cancels a job; one that already ended counts as cancelled. */
  async cancel(jobId: string): Promise<void> {
    await this.jobManager.cancel(jobId).catch((error: unknown) => {
      if (!flinkSays(error, /already reached another terminal state/)) throw error;
    });
  }

  private async savepointOutcome(
    jobId: string,
    triggerId: string,
    deadline: number,
  ): Promise<Exclude<SavepointStatus, { state: 'IN_PROGRESS' }>> {
    for (;;) {
      const status = await this.jobManager.savepointStatus(jobId, triggerId);
      if (status.state !== 'IN_PROGRESS') return status;
      if (Date.now() > deadline) throw savepointFailed(jobId, `not done after ${this.timeoutSeconds} s`);
      await sleep(this.options.pollIntervalMs);
    }
  }

  /** Waits until every subtask is RUNNING (again) or FINISHED. A job that ends meanwhile cannot be stopped. */
  private async untilEveryTaskRuns(jobId: string, deadline: number, failure: string): Promise<void> {
    for (;;) {
      if (Date.now() > deadline)
        throw savepointFailed(jobId, `${failure} (still so after ${this.timeoutSeconds} s)`);
      await sleep(this.options.pollIntervalMs);
      const job = await this.jobManager.job(jobId);
      if (ENDED.has(job.state))
        throw savepointFailed(jobId, `the job ended ${job.state} before its tasks all ran`);
      if (everyTaskRunningOrFinished(job)) return;
    }
  }

  private get timeoutSeconds(): number {
    return this.options.savepointTimeoutMs / 1_000;
  }

  /**
   * Flink 2.2 shuts the whole TaskManager down when a SELECT's collect sink is cancelled before it has
   * opened (FLINK-39330), so a foreground job is closed only once every subtask has started (RUNNING
   * comes after operators open) or the job has ended; past the deadline it is closed regardless.
   */
  private async untilSafeToCancel(jobId: string): Promise<void> {
    const deadline = Date.now() + this.options.closeGuardMs;
    while (Date.now() < deadline) {
      const job = await this.jobManager.job(jobId).catch((error: unknown) => {
        if (error instanceof RiffleError && error.kind === 'not_found') return undefined;
        throw error;
      });
      if (!job || ENDED.has(job.state)) return;
      const starting = job.vertices.some((v) => STARTING.some((state) => (v.tasks[state] ?? 0) > 0));
      if (job.state === 'RUNNING' && !starting) return;
      await sleep(Math.min(this.options.pollIntervalMs, 200));
    }
  }

  private openSession(input: ForegroundSubmission & { savepointPath?: string }): Promise<string> {
    return this.gateway.openSession(
      {
        'pipeline.name': input.jobName,
        'execution.runtime-mode': 'streaming',
        ...(input.savepointPath && { 'execution.savepoint.path': input.savepointPath }),
        ...(input.parallelism && { 'parallelism.default': String(input.parallelism) }),
        ...input.properties,
      },
      input.jobName,
    );
  }

  private async runSetup(session: string, statements: readonly string[]): Promise<void> {
    for (const statement of statements) await this.firstPage(await this.execute(session, statement));
  }

  private async execute(session: string, statement: string): Promise<OperationRef> {
    return this.gateway.executeStatement(session, statement).catch(rethrowAsRejection);
  }

  /** Polls result page 0 until the operation has one: DDL is done, a job has been submitted. */
  private async firstPage(op: OperationRef): Promise<ResultPage> {
    const { firstPageTimeoutMs, pollIntervalMs } = this.options;
    const deadline = Date.now() + firstPageTimeoutMs;
    // DDL finishes in milliseconds, a job submission in a few hundred: start polling fast, back off
    for (let wait = 5; ; wait = Math.min(wait * 2, pollIntervalMs, 200)) {
      const page = await this.gateway.fetchResults(op, 0).catch(rethrowAsRejection);
      if (page.resultType !== 'NOT_READY') return page;
      if (Date.now() > deadline) {
        const message = `the statement produced no result within ${firstPageTimeoutMs} ms`;
        throw new RiffleError('FLINK_TIMEOUT', 'unavailable', message);
      }
      await sleep(wait);
    }
  }
}

/** exception classes whose innermost appearance means Flink refused the SQL itself */
const REJECTION =
  /^(?:Caused by: )?(?:org\.apache\.flink\.table\.api\.(?:ValidationException|SqlParserException|SqlParserEOFException|TableException)|org\.apache\.flink\.sql\.parser\.impl\.ParseException|org\.apache\.calcite\.[\w.$]+)(?::\s*(.*))?$/;

/**
 * Flink's answer to SQL it cannot run (parse or validation failure, unsupported query) as
 * SQL_REJECTED_BY_FLINK with the innermost readable cause and its position; anything else
 * (transport, cluster trouble) is left as it is.
 */
export function sqlRejection(error: unknown): RiffleError | undefined {
  const lines = flinkErrorsOf(error);
  const innermost = lines.filter((line) => line.startsWith('Caused by: ')).at(-1);
  const match = innermost && REJECTION.exec(innermost);
  if (!match) return undefined;
  const message = (match[1] ?? innermost.replace(/^Caused by: /, '')).trim().slice(0, 1_000);
  const at = lines.filter((l) => REJECTION.test(l)).map((l) => /line (\d+), column (\d+)/.exec(l));
  const position = at.find(Boolean);
  if (!position) return new RiffleError('SQL_REJECTED_BY_FLINK', 'invalid', message);
  const [line, column] = [Number(position[1]), Number(position[2])];
  const where = /line \d+, column \d+/.test(message) ? '' : ` (line ${line}, column ${column})`;
  return new RiffleError('SQL_REJECTED_BY_FLINK', 'invalid', `${message}${where}`, { line, column });
}

function rethrowAsRejection(error: unknown): never {
  throw sqlRejection(error) ?? error;
}

function ignoreAlreadyClosed(error: unknown): void {
  if (!flinkSays(error, /does not exist|Can not find/i)) throw error;
}

function flinkErrorsOf(error: unknown): string[] {
  if (!(error instanceof RiffleError)) return [];
  const lines = error.details.flinkErrors;
  return Array.isArray(lines) ? lines.filter((l): l is string => typeof l === 'string') : [];
}

function flinkSays(error: unknown, pattern: RegExp): boolean {
  return flinkErrorsOf(error).some((line) => pattern.test(line));
}

function savepointFailed(jobId: string, reason: string): RiffleError {
  const message = `stop-with-savepoint of job ${jobId} failed: ${reason}`;
  return new RiffleError('SAVEPOINT_FAILED', 'unavailable', message, { jobId, reason });
}

function jobIdIn(page: ResultPage): string | undefined {
  const first = page.results?.data[0]?.fields[0];
  return typeof first === 'string' && /^[0-9a-f]{32}$/.test(first) ? first : undefined;
}

function tokenOf(nextResultUri: string | undefined): number | undefined {
  const match = nextResultUri && /\/result\/(\d+)/.exec(nextResultUri);
  return match ? Number(match[1]) : undefined;
}
