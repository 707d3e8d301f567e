import { decideStatementAction, isLiveJob, RiffleError, type StatementAction } from '@riffle/domain';
import { AnswerMetadataStatement } from '../catalog/answer-metadata-statement.use-case';
import type { PrepareStatementTables } from '../catalog/prepare-statement-tables';
import type { AutoscaleStatement } from '../compute/autoscale-statement.use-case';
import type { PoolAdmission } from '../compute/compute-pool.ports';
import type { StatementEngines } from '../compute/fleet.ports';
import type { PlaceStatement } from '../compute/place-statement.use-case';
import type { JobRecovery } from '../compute/job-recovery';
import type { SizeStatement } from '../compute/size-statement.use-case';
import { type ForegroundQuery, flinkSessionProperties, type StatementEngine } from './statement-engine.port';
import { type StatementRecord, StatementRepository } from './statement.ports';

export interface ReconcileOptions {
  /** a foreground statement nobody reads for this long is stopped (DESIGN: 5 minutes) */
  idleResultsTimeoutMs: number;
  /** how often a live statement is observed again */
  observeEveryMs: number;
}

/** what the queue should do next with this statement: look again after some time, or nothing */
export type ReconcileOutcome = { recheckInMs: number } | { done: true };

const done: ReconcileOutcome = { done: true };

/** a statement waiting for room in its pool looks again this often (the sweep also requeues it) */
const ADMISSION_RECHECK_MS = 2_000;
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
 * act. Idempotent and safe to repeat; the queue guarantees one pass per statement at a time.
 */
export class ReconcileStatement {
  constructor(
    private readonly statements: StatementRepository,
    private readonly engines: StatementEngines,
    private readonly tables: PrepareStatementTables,
    private readonly admission: PoolAdmission,
    private readonly options: ReconcileOptions,
    /** running background statements are right-sized by it; none = fixed size */
    private readonly autoscaler?: AutoscaleStatement,
    /** picks the statement's cell before it starts; none = everything runs on the first cell */
    private readonly placement?: PlaceStatement,
    /** the size a statement starts at, from its plan; none = INITIAL_CFU */
    private readonly sizing?: SizeStatement,
    /** finds the checkpoint a vanished job restores from; none = only the last stop's savepoint */
    private readonly recovery?: JobRecovery,
  ) {}

  async execute(uid: string): Promise<ReconcileOutcome> {
    const statement = await this.statements.findByUid(uid);
    if (!statement) return done;
    if (statement.executionMode !== 'background') return this.foreground(statement);

    const engine = await this.engines.forCell(statement.cellId);
    const jobs = await engine.findJobs(statement.uid);
    const action = decideStatementAction(await this.withCheckpoint(statement, jobs), { jobs });
    return this.act(statement, action, engine);
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
          await this.autoscaler?.execute(statement);
        }
        return statement.phase === 'RUNNING' || statement.phase === 'STOPPING' ? again : done;
      case 'submit': {
        // another pass was submitting and died: its job may still appear (the gateway goes on compiling)
        if (
          statement.detail === SUBMITTING_DETAIL &&
          Date.now() - statement.updatedAt.getTime() < SUBMISSION_LEASE_MS
        )
          return { recheckInMs: ADMISSION_RECHECK_MS };
        const size = await this.initialSize(statement);
        if (!(await this.admitted(statement, size.cfu))) return { recheckInMs: ADMISSION_RECHECK_MS };
        const cell = await this.place(statement, size.cfu);
        if (!cell) return { recheckInMs: ADMISSION_RECHECK_MS };
        await this.statements.recordStatus(uid, { detail: SUBMITTING_DETAIL });
        try {
          const { jobId } = await cell.engine.submitBackground({
            jobName: uid,
            ...(await this.tables.execute(statement)),
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
      case 'set-phase': {
        if (action.jobFailed) {
          const exceptions = await engine.exceptions(action.jobFailed).catch(() => []);
          for (const e of exceptions.slice(0, 10).reverse())
            await this.statements.addException(uid, e.name, e.message);
        }
        const detail =
          action.jobFailed && statement.detail !== action.detail
            ? await this.failureDetail(uid, action.detail)
            : action.detail;
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
    if (!this.recovery || !statement.jobId || statement.phase !== 'RUNNING') return statement;
    if (jobs.some((j) => j.id === statement.jobId)) return statement;
    const checkpoint = await this.recovery.latestCheckpoint(statement.cellId, statement.jobId);
    return checkpoint ? { ...statement, savepointPath: checkpoint } : statement;
  }

  /** statements start only once their pool has room for them, in submission order */
  private async admitted(statement: StatementRecord, cfu: number): Promise<boolean> {
    if (!statement.computePoolId || statement.admittedCfu > 0) return true;
    return (await this.admission.admit(statement, cfu)).admitted;
  }

  private async initialSize(
    statement: StatementRecord,
  ): Promise<{ parallelism: number; cfu: number; reason: string }> {
    if (!this.sizing) return { parallelism: INITIAL_CFU, cfu: INITIAL_CFU, reason: `${INITIAL_CFU} CFU` };
    return this.sizing.execute(statement);
  }

  /**
   * The statement's cell: the one it was placed on, or a new placement (none: it waits, with the
   * reason in its detail). Without a placer everything runs on the first cell.
   */
  private async place(
    statement: StatementRecord,
    cfu: number,
  ): Promise<{ engine: StatementEngine } | undefined> {
    if (statement.cellId || !this.placement) return { engine: await this.engines.forCell(statement.cellId) };
    const outcome = await this.placement.execute(statement, Math.max(statement.admittedCfu, cfu));
    if (outcome.placed) return { engine: await this.engines.forCell(outcome.cellId) };
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

  private async failureDetail(uid: string, fallback: string): Promise<string> {
    const [latest] = await this.statements.exceptions(uid, 1);
    return latest ? `${fallback} ${latest.message}` : fallback;
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
   * SELECT and metadata statements: run the query and copy its rows into immutable result pages
   * until it ends, is stopped or deleted, or nobody has read results for the idle timeout.
   */
  private async foreground(statement: StatementRecord): Promise<ReconcileOutcome> {
    const { uid } = statement;
    if (statement.phase === 'DELETING') {
      await this.statements.delete(uid);
      return done;
    }
    // RUNNING here means the pass that pumped its rows is gone: the reconcile job is the statement's own
    // (job id = uid), so no second pass runs while the first lives, and a pass that ends leaves it final
    if (statement.phase === 'RUNNING') return this.resultsLost(statement);
    if (statement.phase !== 'PENDING') return done;
    if (statement.stopped) {
      await this.statements.recordStatus(uid, { phase: 'STOPPED', detail: 'Created stopped.' });
      return done;
    }
    if (AnswerMetadataStatement.answers(statement)) {
      // SHOW, DESCRIBE, CREATE/DROP TABLE …: answered from Riffle's catalog, no Flink job, no CFU
      await new AnswerMetadataStatement(this.statements, this.tables.environments).execute(statement);
      return done;
    }
    // a query's rows flow through the one pass that started it; if that pass died after submitting,
    // a second job would show some rows twice: fail the statement instead (it can be resubmitted)
    const engine = await this.engines.forCell(statement.cellId);
    if ((await engine.findJobs(uid)).length > 0) return this.resultsLost(statement);
    if (!(await this.admitted(statement, INITIAL_CFU))) return { recheckInMs: ADMISSION_RECHECK_MS };
    const cell = await this.place(statement, INITIAL_CFU);
    if (!cell) return { recheckInMs: ADMISSION_RECHECK_MS };
    let query: ForegroundQuery;
    try {
      query = await cell.engine.startForeground({
        jobName: uid,
        ...(await this.tables.execute(statement)),
        properties: flinkSessionProperties(statement.properties),
      });
    } catch (error) {
      return this.failOnRejection(statement, error);
    }
    const started = new Date();
    await this.statements.recordStatus(uid, {
      phase: 'RUNNING',
      detail: 'Producing results.',
      startTime: started,
      currentCfu: query.jobId ? 1 : 0,
      jobId: query.jobId ?? null,
    });
    try {
      return await this.pump(uid, query, started, cell.engine);
    } finally {
      await cell.engine.closeForeground(query).catch(() => undefined);
    }
  }

  /** the query's job ran, but the pass reading its rows died: cancel what still runs, FAILED with why */
  private async resultsLost(statement: StatementRecord): Promise<ReconcileOutcome> {
    const { uid } = statement;
    const engine = await this.engines.forCell(statement.cellId);
    for (const job of (await engine.findJobs(uid)).filter((j) => isLiveJob(j.state)))
      await engine.cancel(job.id);
    const message = 'The query lost its result stream (scheduler restart or Flink error); submit it again.';
    await this.statements.addException(uid, 'RESULTS_LOST', message);
    await this.statements.recordStatus(uid, {
      phase: 'FAILED',
      detail: message,
      endTime: new Date(),
      currentCfu: 0,
    });
    return done;
  }

  private async pump(
    uid: string,
    query: ForegroundQuery,
    started: Date,
    engine: StatementEngine,
  ): Promise<ReconcileOutcome> {
    let token = 0;
    let page = 0;
    for (;;) {
      let result: Awaited<ReturnType<StatementEngine['fetchPage']>>;
      try {
        result = await engine.fetchPage(query, token);
      } catch (error) {
        return this.failOnRejection((await this.statements.findByUid(uid))!, error);
      }
      const last = result.nextToken === null;
      if (result.rows.length > 0 || last)
        await this.statements.appendResultPage(uid, page++, result.rows, last);
      if (last) {
        await this.statements.recordStatus(uid, {
          phase: 'COMPLETED',
          detail: 'All results are available.',
          endTime: new Date(),
          currentCfu: 0,
        });
        return done;
      }
      token = result.nextToken ?? token;
      const current = await this.statements.findByUid(uid);
      if (!current || current.phase === 'DELETING') {
        if (current) await this.statements.delete(uid);
        return done;
      }
      const lastRead = (current.lastReadAt ?? started).getTime();
      const idle = Date.now() - lastRead > this.options.idleResultsTimeoutMs;
      if (current.stopped || idle) {
        await this.statements.appendResultPage(uid, page, [], true);
        await this.statements.recordStatus(uid, {
          phase: 'STOPPED',
          detail: current.stopped ? 'Stopped by request.' : 'Stopped: nobody read its results for 5 minutes.',
          endTime: new Date(),
          currentCfu: 0,
        });
        return done;
      }
      if (result.notReady || result.rows.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** a call to Flink that gave up waiting (the request may still be running there) */
function isTimeout(error: unknown): boolean {
  const cause = error instanceof RiffleError ? String(error.details?.cause ?? '') : '';
  return /timeout|aborted/i.test(cause);
}
