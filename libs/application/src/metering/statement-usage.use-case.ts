import { formatCfuSeconds, RiffleError } from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import { resolveScope, statementNotFound } from '../statements/statement-scope';
import type { StatementRepository } from '../statements/statement.ports';
import type { UsageMinuteStore } from './metering.ports';

const MAX_WINDOW_MS = 7 * 86_400_000;

function instant(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new RiffleError(
      'INVALID_DATE',
      'invalid',
      `${name} must be an ISO instant like 2026-11-22T05:00:00Z.`,
    );
  return ms;
}

/** GET …/statements/{name}/usage: the statement's closed usage minutes (at most 7 days per request). */
export class GetStatementUsage {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementRepository,
    private readonly usage: UsageMinuteStore,
  ) {}

  async execute(
    principal: Principal,
    org: string,
    env: string,
    name: string,
    query: { start?: unknown; end?: unknown },
  ) {
    const scope = await resolveScope(this.identities, principal, org, env);
    const statement = await this.statements.find(scope, name);
    if (!statement) throw statementNotFound(name);
    const end = instant(query.end, 'end', Date.now());
    const start = instant(
      query.start,
      'start',
      Math.max(statement.createdAt.getTime() - 60_000, end - MAX_WINDOW_MS),
    );
    if (end <= start) throw new RiffleError('INVALID_DATE_RANGE', 'invalid', 'end must be after start.');
    if (end - start > MAX_WINDOW_MS)
      throw new RiffleError('DATE_RANGE_TOO_LARGE', 'invalid', 'Ask for at most 7 days at a time.');
    const minutes = await this.usage.statementMinutes(scope.organizationId, statement.uid, start, end);
    const sum = (pick: (m: (typeof minutes)[number]) => bigint) => minutes.reduce((t, m) => t + pick(m), 0n);
    return {
      api_version: 'sql/v1',
      kind: 'StatementUsage',
      statement_uid: statement.uid,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      cfu_seconds: formatCfuSeconds(sum((m) => m.cfuMs)),
      billed_cfu_seconds: formatCfuSeconds(sum((m) => m.billedCfuMs)),
      minutes: minutes.map((m) => ({
        minute: new Date(m.minuteStartMs).toISOString(),
        cfu_seconds: formatCfuSeconds(m.cfuMs),
        minimum_charge_cfu_seconds: formatCfuSeconds(m.minimumTopUpMs),
        billed_cfu_seconds: formatCfuSeconds(m.billedCfuMs),
      })),
    };
  }
}
