import type { DataSource } from 'typeorm';

/** Answers recorded per (organization, Idempotency-Key), kept so a retried create gets the same answer. */
export class SqlIdempotencyRepository {
  constructor(private readonly db: DataSource) {}

  async find(
    organizationId: string,
    key: string,
  ): Promise<{ requestSha256: string; status: number; body: unknown } | undefined> {
    const rows: { request_sha256: string; status: number; body: unknown }[] = await this.db.query(
      'SELECT request_sha256, status, body FROM idempotency_keys WHERE organization_id = $1 AND key = $2',
      [organizationId, key],
    );
    return rows[0] && { requestSha256: rows[0].request_sha256, status: rows[0].status, body: rows[0].body };
  }

  async remember(
    organizationId: string,
    key: string,
    requestSha256: string,
    status: number,
    body: unknown,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO idempotency_keys (organization_id, key, request_sha256, status, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id, key) DO NOTHING`,
      [organizationId, key, requestSha256, status, JSON.stringify(body)],
    );
  }
}
