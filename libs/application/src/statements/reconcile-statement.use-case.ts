import {
  admissionRecheckMs,
  collapseFailures,
  decideStatementAction,
  failureDetail,
  type FlinkJobState,
  isLiveJob,
  RiffleError,
  type StatementAction,
  userFailureOf,
} from '@riffle/domain';
import { AnswerMetadataStatement } from '../catalog/answer-metadata-statement.use-case';
import type { PrepareStatementTables } from '../catalog/prepare-statement-tables';
import type { AutoscaleStatement } from '../compute/autoscale-statement.use-case';
import type { PoolAdmission } from '../compute/compute-pool.ports';
import type { StatementEngines } from '../compute/fleet.ports';
import type { PlaceStatement } from '../compute/place-statement.use-case';
import type { JobRecovery } from '../compute/job-recovery';
import type { SizeStatement } from '../compute/size-statement.use-case';
import type { ResultStore, ResultsQueue } from '../results/result-store.port';
import { type ForegroundQuery, flinkSessionProperties, type StatementEngine } from './statement-engine.port';
import type { StatementRecord, StatementRepository } from './statement.ports';

export interface ReconcileOptions {
  /** how often a live statement is observed again */
  observeEveryMs: number;
}

/** What a reconcile pass works with: ports, and the optional parts of the control loop. */
export interface ReconcileDependencies {
  statements: StatementRepository;
  engines: StatementEngines;
  tables: PrepareStatementTables;
  admission: PoolAdmission;
  /** where a query's rows go, and the service that moves them there (never this pass) */
  results: ResultStore;
  resultsQueue: ResultsQueue;
  /** running background statements are right-sized by it; none = fixed size */
  autoscaler?: AutoscaleStatement;
  /** picks the statement's cell before it starts; none = everything runs on the first cell */
  placement?: PlaceStatement;
  /** the size a statement starts at, from its plan; none = INITIAL_CFU */
  sizing?: SizeStatement;
  /** finds the checkpoint a vanished job restores from; none = only the last stop's savepoint */
  recovery?: JobRecovery;
}

/** job states in which a job may be failing over: only then are its exceptions read */
const RESTARTING: readonly FlinkJobState[] = ['RESTARTING', 'FAILING'];

/** what the queue should do next with this statement: look again after some time, or nothing */
export type ReconcileOutcome = { recheckInMs: number } | { done: true };

const done: ReconcileOutcome = { done: true };

/** a statement waiting for a cell (placement) looks again this often (the sweep also requeues it) */
const PLACEMENT_RECHECK_MS = 2_000;
/**
 * The size of a query (foreground), and of every statement when no sizer is wired: 1 CFU. Background
 * statements start at the size their plan suggests (SizeStatement); the autoscaler takes it from there.
 */
const INITIAL_CFU = 1;

/** a job takes a few hundred ms to start: look again soon so RUNNING is reported promptly */
const STARTING_RECHECK_MS = 100;
/**
 * A submission the SQL Gateway was still compiling when the pass that sent it died shows up as a job
 * within this long; until then a new pass waits instead of submitting the statement a second time.
 */
const SUBMISSION_LEASE_MS = 90_000;
/** the detail a statement carries while a pass submits it: the lease's mark (updated_at is its start) */
export const SUBMITTING_DETAIL = 'Submitting to Flink.';

/**
 * One reconcile pass for one statement: observe (Flink jobs named after the uid) → decide (pure) →
 * act. Idempotent and safe to repeat; the queue guarantees one pass per statement at a time. A pass is
 * short: it never waits on a statement's lifetime (a query's rows flow through the results service).
 */
export class ReconcileStatement {
  private readonly statements: StatementRepository;
  private readonly engines: StatementEngines;

  constructor(
    private readonly deps: ReconcileDependencies,
    private readonly options: ReconcileOptions,
  ) {
    this.statements = deps.statements;
    this.engines = deps.engines;
  }

  async execute(uid: string): Promise<ReconcileOutcome> {
    const statement = await this.statements.findByUid(uid);
    if (!statement) return done;
    if (statement.executionMode !== 'background') return this.foreground(statement);

    const engine = await this.engines.forCell(statement.cellId);
    const jobs = await engine.findJobs(statement.uid);
    const action = decideStatementAction(await this.withCheckpoint(statement, jobs), {
      jobs,
      userFailure: await this.restartingOnUserError(statement, jobs, engine),
    });
    return this.act(statement, action, engine);
  }

  /**
   * The recorded job's newest failure while it restarts, when the user's SQL or data caused it: Flink's
   * restarts cannot fix it, so the statement fails now instead of after every attempt. Read only while
   * the job restarts, so a healthy statement costs no extra call.
   */
  private async restartingOnUserError(
    statement: StatementRecord,
    jobs: { id: string; state: FlinkJobState }[],
    engine: StatementEngine,
  ) {
    const recorded = jobs.find((j) => j.id === statement.jobId);
    if (!recorded || !RESTARTING.includes(recorded.state)) return undefined;
    return userFailureOf(await engine.failures(recorded.id).catch(() => []));
  }

  private async act(
    statement: StatementRecord,
    action: StatementAction,
    engine: StatementEngine,
  ): Promise<ReconcileOutcome> {
    const { uid } = statement;
    const again = { recheckInMs: this.options.observeEveryMs };
    switch (action.type) {
      case 'none':
        if (statement.phase === 'PENDING') return { recheckInMs: STARTING_RECHECK_MS }; // a job is starting
        if (statement.phase === 'RUNNING' && statement.jobId) {
          await this.observeSlots(statement, engine);
          await this.deps.autoscaler?.execute(statement);
        }
        return statement.phase === 'RUNNING' || statement.phase === 'STOPPING' ? again : done;
      case 'submit': {
        // another pass was submitting and died: its job may still appear (the gateway goes on compiling)
        if (
          statement.detail === SUBMITTING_DETAIL &&
          Date.now() - statement.updatedAt.getTime() < SUBMISSION_LEASE_MS
        )
          return { recheckInMs: PLACEMENT_RECHECK_MS };
        const size = await this.initialSize(statement);
        const waiting = await this.admissionWait(statement, size.cfu);
        if (waiting) return waiting;
        const cell = await this.place(statement, size.cfu);
        if (!cell) return { recheckInMs: PLACEMENT_RECHECK_MS };
        await this.statements.recordStatus(uid, { detail: SUBMITTING_DETAIL });
        try {
          const { jobId } = await cell.engine.submitBackground({
            jobName: uid,
            ...(await this.deps.tables.execute(statement)),
            properties: {
              ...flinkSessionProperties(statement.properties),
              'parallelism.default': String(size.parallelism),
            },
            savepointPath: action.savepointPath,
          });
          await this.statements.recordStatus(uid, {
            jobId,
            phase: 'PENDING',
            // the point it restored from stays the fallback until the new job checkpoints
            ...(action.savepointPath ? { savepointPath: action.savepointPath } : {}),
            detail: action.savepointPath
              ? `Restoring from ${action.savepointPath} at ${size.reason}.`
              : `Submitted to Flink at ${size.reason}.`,
          });
          return { recheckInMs: STARTING_RECHECK_MS };
        } catch (error) {
          // an answer ends the submission; a call that timed out may still be compiling: keep the lease
          if (!isTimeout(error))
            await this.statements.recordStatus(uid, { detail: 'Submitting to Flink failed; trying again.' });
          return this.failOnRejection(statement, error);
        }
      }
      case 'adopt':
        await this.statements.recordStatus(uid, {
          jobId: action.jobId,
          detail: 'Found the Flink job it had submitted.',
        });
        return { recheckInMs: 0 };
      case 'stop-with-savepoint': {
        await this.statements.recordStatus(uid, {
          phase: 'STOPPING',
          detail: 'Taking a savepoint, then stopping.',
        });
        const savepointPath = await engine.stopWithSavepoint(action.jobId);
        await this.statements.recordStatus(uid, {
          phase: 'STOPPED',
          savepointPath,
          currentCfu: 0,
          cellId: null, // a resume is placed anew
          endTime: new Date(),
          detail: 'Stopped with a savepoint; resuming continues exactly where it stopped.',
        });
        return done;
      }
      case 'cancel':
        for (const jobId of action.jobIds) await engine.cancel(jobId);
        return { recheckInMs: 1_000 };
      case 'fail': {
        await engine.cancel(action.jobId);
        const { failure } = action;
        await this.statements.addException(uid, failure.name, failure.message, {
          kind: failure.kind,
          count: failure.count,
        });
        await this.statements.recordStatus(uid, {
          phase: 'FAILED',
          detail: failureDetail(failure),
          endTime: new Date(),
          currentCfu: 0,
        });
        return done;
      }
      case 'set-phase': {
        let detail = action.detail;
        if (action.jobFailed) {
          // one entry per distinct cause, oldest first so the newest stays on top; its detail says why
          const failures = collapseFailures(await engine.failures(action.jobFailed).catch(() => []));
          for (const f of [...failures].reverse())
            await this.statements.addException(uid, f.name, f.message, { kind: f.kind, count: f.count });
          if (failures[0]) detail = failureDetail(failures[0]);
        }
        const ended = action.phase === 'COMPLETED' || action.phase === 'FAILED' || action.phase === 'STOPPED';
        if (ended && action.phase !== 'STOPPED' && statement.jobId && statement.currentCfu === 0) {
          // a bounded job that finished between two looks was never seen RUNNING: it still ran and
          // held its slots, so the ledger gets its start before its end (billed at least a CFU-minute)
          await this.statements.recordStatus(uid, {
            currentCfu: await engine.slots(statement.jobId).catch(() => 1),
            ...(statement.startTime ? {} : { startTime: new Date() }),
          });
        }
        await this.statements.recordStatus(uid, {
          phase: action.phase,
          detail,
          ...(action.phase === 'RUNNING' && !statement.startTime ? { startTime: new Date() } : {}),
          ...(action.phase === 'RUNNING' && statement.jobId
            ? { currentCfu: await engine.slots(statement.jobId) }
            : {}),
          ...(ended ? { endTime: new Date(), currentCfu: 0 } : {}),
        });
        return action.phase === 'RUNNING' ? again : done;
      }
      case 'delete':
        await this.statements.delete(uid);
        return done;
    }
  }

  /**
   * A running statement whose job is gone from its cell (a JobManager restarted without HA) continues
   * from the job's newest retained checkpoint, which is newer than any savepoint it has.
   */
  private async withCheckpoint(statement: StatementRecord, jobs: { id: string }[]): Promise<StatementRecord> {
    const { recovery } = this.deps;
    if (!recovery || !statement.jobId || statement.phase !== 'RUNNING') return statement;
    if (jobs.some((j) => j.id === statement.jobId)) return statement;
    const checkpoint = await recovery.latestCheckpoint(statement.cellId, statement.jobId);
    return checkpoint ? { ...statement, savepointPath: checkpoint } : statement;
  }

  /**
   * Statements start only once their pool has room for them, in submission order. Undefined: admitted
   * (or no pool); otherwise when to look again: the further back in the queue, the later.
   */
  private async admissionWait(
    statement: StatementRecord,
    cfu: number,
  ): Promise<ReconcileOutcome | undefined> {
    if (!statement.computePoolId || statement.admittedCfu > 0) return undefined;
    const verdict = await this.deps.admission.admit(statement, cfu);
    return verdict.admitted ? undefined : { recheckInMs: admissionRecheckMs(verdict.ahead) };
  }

  private async initialSize(
    statement: StatementRecord,
  ): Promise<{ parallelism: number; cfu: number; reason: string }> {
    if (!this.deps.sizing)
      return { parallelism: INITIAL_CFU, cfu: INITIAL_CFU, reason: `${INITIAL_CFU} CFU` };
    return this.deps.sizing.execute(statement);
  }

  /**
   * The statement's cell: the one it was placed on, or a new placement (none: it waits, with the
   * reason in its detail). Without a placer everything runs on the first cell.
   */
  private async place(
    statement: StatementRecord,
    cfu: number,
  ): Promise<{ engine: StatementEngine; cellId: string | null } | undefined> {
    const { placement } = this.deps;
    if (statement.cellId || !placement)
      return { engine: await this.engines.forCell(statement.cellId), cellId: statement.cellId };
    const outcome = await placement.execute(statement, Math.max(statement.admittedCfu, cfu));
    if (outcome.placed) return { engine: await this.engines.forCell(outcome.cellId), cellId: outcome.cellId };
    if (statement.detail !== outcome.reason)
      await this.statements.recordStatus(statement.uid, { detail: outcome.reason });
    return undefined;
  }

  /** a job rescaled (autoscaler, or Flink's adaptive scheduler) holds other slots: bill what it holds */
  private async observeSlots(statement: StatementRecord, engine: StatementEngine): Promise<void> {
    const slots = await engine.slots(statement.jobId!);
    if (slots !== statement.currentCfu)
      await this.statements.recordStatus(statement.uid, { currentCfu: slots });
  }

  /** Flink rejecting the SQL is the user's to fix: FAILED with the reason. Anything else retries. */
  private async failOnRejection(statement: StatementRecord, error: unknown): Promise<ReconcileOutcome> {
    if (!(error instanceof RiffleError) || error.retryable) throw error;
    await this.statements.addException(statement.uid, error.code, error.message);
    await this.statements.recordStatus(statement.uid, {
      phase: 'FAILED',
      detail: error.message,
      endTime: new Date(),
      currentCfu: 0,
    });
    return done;
  }

  /**
   * SELECT and metadata statements. A metadata statement is answered here (catalog, no Flink job). A
   * query is started here and its stream handed to the results service, which moves its rows into
   * result pages in short steps of its own: this pass returns as soon as the query runs.
   */
  private async foreground(statement: StatementRecord): Promise<ReconcileOutcome> {
    const { uid } = statement;
    if (statement.phase === 'DELETING') return this.deleteQuery(statement);
    // a running query is the results service's: make sure a step of its stream is queued (a stop
    // request, or a sweep after Redis lost the queue, lands here)
    if (statement.phase === 'RUNNING') return this.handToResults(statement, true);
    if (statement.phase !== 'PENDING') return done;
    if (statement.stopped) {
      await this.statements.recordStatus(uid, { phase: 'STOPPED', detail: 'Created stopped.' });
      return done;
    }
    if (AnswerMetadataStatement.answers(statement)) {
      // SHOW, DESCRIBE, CREATE/DROP TABLE …: answered from Riffle's catalog, no Flink job, no CFU
      await new AnswerMetadataStatement(this.statements, this.deps.tables, this.deps.results).execute(
        statement,
      );
      return done;
    }
    // a pass that died between opening the stream and recording RUNNING: the stream goes on
    if ((await this.deps.results.find(uid))?.state === 'OPEN') return this.running(statement);
    // a pass that died after submitting, before the stream existed: nobody can read that job's rows
    // from the start any more, so a second job is not started behind its back
    const engine = await this.engines.forCell(statement.cellId);
    if ((await engine.findJobs(uid)).length > 0) return this.resultsLost(statement);
    const waiting = await this.admissionWait(statement, INITIAL_CFU);
    if (waiting) return waiting;
    const cell = await this.place(statement, INITIAL_CFU);
    if (!cell) return { recheckInMs: PLACEMENT_RECHECK_MS };
    let query: ForegroundQuery;
    try {
      query = await cell.engine.startForeground({
        jobName: uid,
        ...(await this.deps.tables.execute(statement)),
        properties: flinkSessionProperties(statement.properties),
      });
    } catch (error) {
      return this.failOnRejection(statement, error);
    }
    await this.deps.results.open({
      statementUid: uid,
      scope: { organizationId: statement.organizationId, environmentId: statement.environmentId },
      cellId: cell.cellId,
      gatewayRef: query.ref,
      jobId: query.jobId ?? null,
    });
    return this.running(statement, query.jobId ?? null);
  }

  private async running(statement: StatementRecord, jobId?: string | null): Promise<ReconcileOutcome> {
    const stream = jobId === undefined ? await this.deps.results.find(statement.uid) : undefined;
    const job = jobId === undefined ? (stream?.jobId ?? null) : jobId;
    await this.statements.recordStatus(statement.uid, {
      phase: 'RUNNING',
      detail: 'Producing results.',
      startTime: new Date(),
      currentCfu: job ? 1 : 0,
      jobId: job,
    });
    return this.handToResults(statement);
  }

  private async handToResults(statement: StatementRecord, resumed = false): Promise<ReconcileOutcome> {
    await this.deps.resultsQueue.enqueueStep(statement.uid, statement.organizationId, { resumed });
    return done;
  }

  /** a query being deleted: its gateway operation closed (which cancels its job), any other job cancelled */
  private async deleteQuery(statement: StatementRecord): Promise<ReconcileOutcome> {
    const stream = await this.deps.results.find(statement.uid);
    if (stream?.state === 'OPEN' && stream.gatewayRef) {
      const engine = await this.engines.forCell(stream.cellId);
      await engine
        .closeForeground({ ref: stream.gatewayRef, jobId: stream.jobId ?? undefined })
        .catch(() => undefined);
    }
    const engine = await this.engines.forCell(statement.cellId);
    for (const job of (await engine.findJobs(statement.uid)).filter((j) => isLiveJob(j.state)))
      await engine.cancel(job.id);
    await this.statements.delete(statement.uid);
    return done;
  }

  /** the query's job ran, but its stream never reached the results service: cancel it, FAILED with why */
  private async resultsLost(statement: StatementRecord): Promise<ReconcileOutcome> {
    const { uid } = statement;
    const engine = await this.engines.forCell(statement.cellId);
    for (const job of (await engine.findJobs(uid)).filter((j) => isLiveJob(j.state)))
      await engine.cancel(job.id);
    const message =
      'The query lost its result stream (the scheduler restarted while starting it); submit it again.';
    await this.statements.addException(uid, 'RESULTS_LOST', message, { kind: 'SYSTEM' });
    await this.statements.recordStatus(uid, {
      phase: 'FAILED',
      detail: message,
      endTime: new Date(),
      currentCfu: 0,
    });
    return done;
  }
}

/** a call to Flink that gave up waiting (the request may still be running there) */
function isTimeout(error: unknown): boolean {
  const cause = error instanceof RiffleError ? String(error.details?.cause ?? '') : '';
  return /timeout|aborted/i.test(cause);
}
