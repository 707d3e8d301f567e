import {
  type NewStatement,
  type ScalingStatus,
  type StatementCursor,
  type StatementException,
  type StatementFilter,
  type StatementRecord,
  StatementRepository,
  type StatementScope,
  type StatusPatch,
} from '@riffle/application';
import { type FailureClass, RiffleError, TERMINAL_PHASES } from '@riffle/domain';
import { aStatementRecord } from '../statement-record';

/**
 * StatementRepository in memory, for unit tests of use cases: the same contract as the SQL repository
 * (scoped reads, STATEMENT_EXISTS, OPEN_QUERY_LIMIT, collapsed exceptions), none of its storage. What the
 * use case wrote is in `records`, `exceptionsOf` and `patches`.
 */
export class InMemoryStatements extends StatementRepository {
  readonly records = new Map<string, StatementRecord>();
  readonly patches: { uid: string; patch: StatusPatch }[] = [];
  private readonly thrown = new Map<string, StatementException[]>();

  /** seeds a statement (every field a real row has; override what the test is about) */
  add(overrides: Partial<StatementRecord> = {}): StatementRecord {
    const record = aStatementRecord(overrides);
    this.records.set(record.uid, record);
    return record;
  }

  exceptionsOf(uid: string): StatementException[] {
    return this.thrown.get(uid) ?? [];
  }

  async insert(s: NewStatement, limits: { maxOpenQueries?: number } = {}): Promise<StatementRecord> {
    if ([...this.records.values()].some((r) => sameScope(r, s) && r.name === s.name))
      throw new RiffleError('STATEMENT_EXISTS', 'conflict', `A statement named "${s.name}" already exists.`);
    const cap = s.executionMode === 'foreground' ? limits.maxOpenQueries : undefined;
    const open = [...this.records.values()].filter(
      (r) => sameScope(r, s) && r.executionMode === 'foreground' && ['PENDING', 'RUNNING'].includes(r.phase),
    ).length;
    if (cap !== undefined && open >= cap)
      throw new RiffleError('OPEN_QUERY_LIMIT', 'rate_limited', `already ${cap} open queries`, {
        retry_after_seconds: 5,
      });
    return this.add({ ...s, phase: 'PENDING', currentCfu: 0, admittedCfu: 0, createdAt: new Date() });
  }

  async find(scope: StatementScope, name: string): Promise<StatementRecord | undefined> {
    return [...this.records.values()].find((r) => sameScope(r, scope) && r.name === name);
  }

  async list(
    scope: StatementScope,
    filter: StatementFilter,
    pageSize: number,
    after?: StatementCursor,
  ): Promise<StatementRecord[]> {
    return [...this.records.values()]
      .filter((r) => sameScope(r, scope))
      .filter((r) => !filter.phase || r.phase === filter.phase)
      .filter((r) => !filter.computePoolId || r.computePoolId === filter.computePoolId)
      .filter((r) => Object.entries(filter.labels ?? {}).every(([k, v]) => r.labels[k] === v))
      .sort((a, b) => +a.createdAt - +b.createdAt || a.uid.localeCompare(b.uid))
      .filter((r) => !after || [r.createdAt.toISOString(), r.uid] > [after.createdAt, after.uid])
      .slice(0, pageSize);
  }

  async updateSpec(
    scope: StatementScope,
    name: string,
    expectedVersion: number,
    changes: { stopped?: boolean; computePoolId?: string | null; principal?: string },
  ): Promise<StatementRecord | 'conflict' | undefined> {
    const record = await this.find(scope, name);
    if (!record) return undefined;
    if (record.resourceVersion !== expectedVersion || record.phase === 'DELETING') return 'conflict';
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    return this.replace(record, defined);
  }

  async countInEnvironment(scope: StatementScope, upTo: number): Promise<number> {
    return Math.min(upTo, [...this.records.values()].filter((r) => sameScope(r, scope)).length);
  }

  async markDeleting(scope: StatementScope, name: string): Promise<StatementRecord | undefined> {
    const record = await this.find(scope, name);
    return record && this.replace(record, { phase: 'DELETING' });
  }

  async exceptions(uid: string, limit: number): Promise<StatementException[]> {
    return [...this.exceptionsOf(uid)].reverse().slice(0, limit);
  }

  async touchRead(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (record) this.records.set(uid, { ...record, lastReadAt: new Date() });
  }

  async findByUid(uid: string): Promise<StatementRecord | undefined> {
    return this.records.get(uid);
  }

  async recordStatus(uid: string, patch: StatusPatch): Promise<void> {
    const record = this.records.get(uid);
    if (!record) return;
    this.patches.push({ uid, patch });
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    // a delete wins over a pass that read the row before it (as in SQL)
    if (record.phase === 'DELETING') delete defined.phase;
    if (patch.currentCfu === 0 && patch.admittedCfu === undefined) defined.admittedCfu = 0;
    this.replace(record, defined);
  }

  async recordScaling(uid: string, scaling: ScalingStatus): Promise<void> {
    const record = this.records.get(uid);
    if (record) this.records.set(uid, { ...record, scalingStatus: scaling });
  }

  async addException(
    uid: string,
    name: string,
    message: string,
    more: { kind?: FailureClass; count?: number } = {},
  ): Promise<void> {
    const list = this.thrown.get(uid) ?? [];
    const newest = list.at(-1);
    const count = Math.max(1, more.count ?? 1);
    if (newest && newest.name === name && newest.message === message) {
      list[list.length - 1] = { ...newest, count: newest.count + count, occurredAt: new Date() };
    } else list.push({ name, message, occurredAt: new Date(), count, kind: more.kind ?? null });
    this.thrown.set(uid, list);
  }

  async delete(uid: string): Promise<void> {
    this.records.delete(uid);
  }

  async activeStatements(): Promise<{ uid: string; organizationId: string }[]> {
    return [...this.records.values()]
      .filter((r) => !TERMINAL_PHASES.includes(r.phase) || (r.phase === 'STOPPED' && !r.stopped))
      .map((r) => ({ uid: r.uid, organizationId: r.organizationId }));
  }

  private replace(record: StatementRecord, changes: Partial<StatementRecord>): StatementRecord {
    const next = {
      ...record,
      ...changes,
      resourceVersion: record.resourceVersion + 1,
      updatedAt: new Date(),
    };
    this.records.set(record.uid, next);
    return next;
  }
}

function sameScope(a: StatementScope, b: StatementScope): boolean {
  return a.organizationId === b.organizationId && a.environmentId === b.environmentId;
}
