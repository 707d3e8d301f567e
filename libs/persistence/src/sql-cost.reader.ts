import { type CostGroup, type CostQuery, CostReader } from '@riffle/application';
import Cursor from 'pg-cursor';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

interface GroupRow {
  day: string;
  organization_id: string;
  environment_id: string;
  compute_pool_id: string;
  statement_uid?: string;
  statement_name?: string;
  cfu_ms: string;
  billed_cfu_ms: string;
}

const toGroup = (r: GroupRow): CostGroup => ({
  day: r.day,
  organizationId: r.organization_id,
  environmentId: r.environment_id,
  computePoolId: r.compute_pool_id === '' ? null : r.compute_pool_id,
  ...(r.statement_uid ? { statementUid: r.statement_uid, statementName: r.statement_name } : {}),
  cfuMs: BigInt(r.cfu_ms),
  billedCfuMs: BigInt(r.billed_cfu_ms),
});

/** daily sums of usage minutes; the key columns are also the page order */
function groupsSql(query: CostQuery, afterParam?: number, limitParam?: number): string {
  const perStatement = query.granularity === 'statement';
  const key = perStatement
    ? `day, environment_id, compute_pool_id, statement_uid::text`
    : `day, environment_id, compute_pool_id`;
  return `
    SELECT * FROM (
      SELECT to_char(minute AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, organization_id, environment_id,
        coalesce(compute_pool_id, '') AS compute_pool_id,
        ${perStatement ? 'statement_uid, max(statement_name) AS statement_name,' : ''}
        sum(cfu_ms)::text AS cfu_ms, sum(billed_cfu_ms)::text AS billed_cfu_ms
      FROM usage_minutes
      WHERE organization_id = $1 AND minute >= $2::date AT TIME ZONE 'UTC' AND minute < $3::date AT TIME ZONE 'UTC'
      GROUP BY 1, 2, 3, 4 ${perStatement ? ', 5' : ''}
    ) g
    ${
      afterParam
        ? `WHERE (${key}) > (${key
            .split(', ')
            .map((_, i) => `$${afterParam + i}`)
            .join(', ')})`
        : ''
    }
    ORDER BY ${key}
    ${limitParam ? `LIMIT $${limitParam}` : ''}`;
}

export class SqlCostReader extends CostReader {
  constructor(private readonly db: DataSource) {
    super();
  }

  async page(query: CostQuery, pageSize: number, after?: string[]): Promise<CostGroup[]> {
    const params: unknown[] = [query.organizationId, query.startDate, query.endDate];
    const keyLength = query.granularity === 'statement' ? 4 : 3;
    const afterParam = after ? params.length + 1 : undefined;
    if (after)
      params.push(...after.slice(0, keyLength), ...Array(Math.max(0, keyLength - after.length)).fill(''));
    params.push(pageSize);
    const rows: GroupRow[] = await this.db.query(groupsSql(query, afterParam, params.length), params);
    return rows.map(toGroup);
  }

  async *stream(query: CostQuery): AsyncIterable<CostGroup> {
    const driver = this.db.driver as PostgresDriver;
    const [client, release] = (await driver.obtainMasterConnection()) as [PoolClient, (e?: unknown) => void];
    const cursor = client.query(
      new Cursor<GroupRow>(groupsSql(query), [query.organizationId, query.startDate, query.endDate]),
    );
    let failure: unknown;
    try {
      for (;;) {
        const rows = await cursor.read(2_000);
        if (rows.length === 0) break;
        for (const row of rows) yield toGroup(row);
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await cursor.close().catch(() => undefined);
      release(failure);
    }
  }
}
