import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing's chain of custody: the allocation ledger (append-only, written in the same statement as the
 * status change that causes it), usage minutes closed from it, the closer's progress, and exports.
 */
export class Metering1763800200000 implements MigrationInterface {
  name = 'Metering1763800200000';

  async up(db: QueryRunner): Promise<void> {
    // no foreign key to statements: a deleted statement's allocations must still be billed
    await db.query(`
      CREATE TABLE allocation_ledger (
        seq              bigserial PRIMARY KEY,
        statement_uid    uuid NOT NULL,
        statement_name   text NOT NULL,
        organization_id  uuid NOT NULL,
        environment_id   text NOT NULL,
        compute_pool_id  text,
        cfu              integer NOT NULL CHECK (cfu >= 0),
        reason           text NOT NULL CHECK (reason IN ('start', 'rescale', 'stop', 'complete', 'fail', 'delete')),
        valid_from       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
      )`);
    await db.query(`CREATE INDEX allocation_ledger_time_idx ON allocation_ledger (valid_from)`);
    await db.query(
      `CREATE INDEX allocation_ledger_statement_idx ON allocation_ledger (statement_uid, valid_from, seq)`,
    );
    await db.query(`
      CREATE FUNCTION allocation_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'allocation_ledger is append-only';
      END $$`);
    await db.query(`
      CREATE TRIGGER allocation_ledger_append_only BEFORE UPDATE OR DELETE ON allocation_ledger
      FOR EACH ROW EXECUTE FUNCTION allocation_ledger_append_only()`);

    await db.query(`
      CREATE TABLE usage_minutes (
        statement_uid      uuid NOT NULL,
        minute             timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
        statement_name     text NOT NULL,
        organization_id    uuid NOT NULL,
        environment_id     text NOT NULL,
        compute_pool_id    text,
        cfu_ms             bigint NOT NULL CHECK (cfu_ms >= 0),
        minimum_top_up_ms  bigint NOT NULL CHECK (minimum_top_up_ms >= 0),
        billed_cfu_ms      bigint NOT NULL CHECK (billed_cfu_ms = cfu_ms + minimum_top_up_ms),
        -- CFUs held when the minute ended: where the next minutes' integrals start from
        end_cfu            integer NOT NULL CHECK (end_cfu >= 0),
        PRIMARY KEY (statement_uid, minute)
      )`);
    await db.query(`CREATE INDEX usage_minutes_minute_idx ON usage_minutes (minute)`);
    await db.query(`CREATE INDEX usage_minutes_org_idx ON usage_minutes (organization_id, minute)`);

    // one row per loop: 'usage' = last closed minute, 'events' = last minute published to Kafka
    await db.query(`
      CREATE TABLE metering_progress (
        name          text PRIMARY KEY,
        through       timestamptz NOT NULL,
        kafka_offsets jsonb NOT NULL DEFAULT '{}',
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE billing_exports (
        id               text PRIMARY KEY CHECK (id ~ '^exp-[a-z0-9]+$'),
        organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        start_date       date NOT NULL,
        end_date         date NOT NULL CHECK (end_date > start_date),
        format           text NOT NULL CHECK (format IN ('csv', 'jsonl')),
        granularity      text NOT NULL CHECK (granularity IN ('pool', 'statement')),
        phase            text NOT NULL DEFAULT 'PENDING' CHECK (phase IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED')),
        detail           text NOT NULL DEFAULT '',
        location         text,
        lines            bigint,
        bytes            bigint,
        sha256           text,
        created_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        completed_at     timestamptz
      )`);
    await db.query(`CREATE INDEX billing_exports_org_idx ON billing_exports (organization_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['billing_exports', 'metering_progress', 'usage_minutes', 'allocation_ledger'])
      await db.query(`DROP TABLE ${table}`);
    await db.query('DROP FUNCTION allocation_ledger_append_only');
  }
}
