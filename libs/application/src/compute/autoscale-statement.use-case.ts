import {
  type AutoscalerOptions,
  decideScaling,
  RiffleError,
  type ScalingDecision,
  type ScalingState,
  type VertexMetrics,
} from '@riffle/domain';
import type { SourcePartitions } from './size-statement.use-case';
import type { StatementEngines } from './fleet.ports';
import type { ScalingStatus, StatementRecord, StatementRepository } from '../statements/statement.ports';
import type { PoolAdmission } from './compute-pool.ports';

export interface AutoscalerSettings extends AutoscalerOptions {
  /** how often a running statement's metrics are evaluated */
  intervalMs: number;
}

/** what the autoscaler keeps in `status.scaling_status` besides what users see */
interface SavedScaling extends ScalingStatus {
  history?: ScalingState;
  last_rescale_ms?: number;
  /** the size a stop-and-restore rescale restarts the statement at */
  target_cfu?: number;
}

/** Every decision that rescales, with its inputs and reason (the `scaling_decisions` table). */
export abstract class ScalingDecisionLog {
  abstract record(statementUid: string, fromCfu: number, decision: ScalingDecision): Promise<void>;
}

/**
 * One autoscaler tick for one running background statement (DESIGN §5): read the job's vertex metrics
 * and the sources' backlog, decide with the pure `decideScaling`, rescale in place through the adaptive
 * scheduler, record the decision. The CFUs billed follow from the job's slots, observed by reconcile.
 */
export class AutoscaleStatement {
  private readonly lastEvaluated = new Map<string, number>();
  private readonly partitionsByStatement = new Map<string, Promise<Map<string, number>>>();

  constructor(
    private readonly engines: StatementEngines,
    private readonly statements: StatementRepository,
    private readonly admission: PoolAdmission,
    private readonly sources: SourcePartitions,
    private readonly decisions: ScalingDecisionLog,
    private readonly settings: AutoscalerSettings,
  ) {}

  async execute(statement: StatementRecord, nowMs = Date.now()): Promise<ScalingDecision | undefined> {
    if (statement.executionMode !== 'background' || statement.phase !== 'RUNNING' || !statement.jobId) return;
    if (nowMs - (this.lastEvaluated.get(statement.uid) ?? 0) < this.settings.intervalMs) return;
    this.lastEvaluated.set(statement.uid, nowMs);

    const saved = statement.scalingStatus as SavedScaling;
    const engine = await this.engines.forCell(statement.cellId);
    const metrics = await engine.scalingMetrics(statement.jobId);
    const partitions = await this.sourcePartitions(statement);
    const vertices: VertexMetrics[] = metrics.vertices.map(({ name, ...v }) => {
      const topic = [...partitions.keys()].find((t) => name.includes(t));
      const count = topic
        ? partitions.get(topic)
        : partitions.size
          ? Math.min(...partitions.values())
          : undefined;
      return v.isSource && count !== undefined ? { ...v, partitions: count } : v;
    });
    const decision = decideScaling({
      nowMs,
      statement: {
        currentParallelism: statement.currentCfu,
        lastRescaleMs: saved.last_rescale_ms ?? null,
        startedMs: metrics.startedMs,
      },
      vertices,
      sourceLag: metrics.sourceLag,
      poolFreeCfu: await this.admission.freeCfu(statement),
      history: saved.history ?? null,
      options: this.settings,
    });
    const rescales = decision.action !== 'none' && decision.perVertex !== undefined;
    if (rescales) {
      await this.decisions.record(statement.uid, statement.currentCfu, decision);
      const inPlace = await engine.rescale(statement.jobId, decision.perVertex!).then(
        () => true,
        (error: unknown) => {
          // Flink refusing it (no adaptive scheduler on the cell, an old Flink) is not worth retrying
          if (error instanceof RiffleError && !error.retryable) return false;
          throw error;
        },
      );
      if (!inPlace) return this.restartAtSize(statement, decision, nowMs);
    }
    await this.statements.recordScaling(statement.uid, {
      scaling_state: decision.scalingState,
      reason: decision.reason,
      last_updated: new Date(nowMs).toISOString(),
      history: decision.history,
      ...(rescales
        ? { last_rescale_ms: nowMs }
        : saved.last_rescale_ms
          ? { last_rescale_ms: saved.last_rescale_ms }
          : {}),
    } as SavedScaling);
    return decision;
  }

  /**
   * The fallback when Flink cannot rescale in place: stop with a savepoint, and let reconcile start the
   * statement again from it at the decided size (`scaling_status.target_cfu`, read by SizeStatement).
   */
  private async restartAtSize(
    statement: StatementRecord,
    decision: ScalingDecision,
    nowMs: number,
  ): Promise<ScalingDecision> {
    const engine = await this.engines.forCell(statement.cellId);
    await this.statements.recordScaling(statement.uid, {
      scaling_state: decision.scalingState,
      reason: `${decision.reason}; Flink cannot rescale this job in place: restarting it from a savepoint at ${decision.parallelism} CFU`,
      last_updated: new Date(nowMs).toISOString(),
      history: decision.history,
      last_rescale_ms: nowMs,
      target_cfu: decision.parallelism,
    } as SavedScaling);
    const savepointPath = await engine.stopWithSavepoint(statement.jobId!);
    await this.statements.recordStatus(statement.uid, {
      phase: 'PENDING',
      jobId: null,
      cellId: null,
      savepointPath,
      currentCfu: 0,
      detail: `Restarting from a savepoint at ${decision.parallelism} CFU (rescale).`,
    });
    return decision;
  }

  /** partitions of the topics the statement reads, by topic name (looked up once per statement) */
  private sourcePartitions(statement: StatementRecord): Promise<Map<string, number>> {
    let found = this.partitionsByStatement.get(statement.uid);
    if (!found) {
      found = this.sources.lookUp(statement).catch(() => new Map<string, number>());
      this.partitionsByStatement.set(statement.uid, found);
    }
    return found;
  }
}
