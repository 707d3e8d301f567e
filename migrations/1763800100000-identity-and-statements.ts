import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may call (service accounts and their API keys: only a SHA-256 of the secret is kept) and the
 * statements they submit: desired spec, observed status, and what Flink runs for them.
 */
export class IdentityAndStatements1763800100000 implements MigrationInterface {
  name = 'IdentityAndStatements1763800100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE service_accounts (
        id               text PRIMARY KEY CHECK (id ~ '^sa-[a-z0-9]+$'),
        organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 128),
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE api_keys (
        id                  text PRIMARY KEY CHECK (id ~ '^[A-Z0-9]{16}$'),
        organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        service_account_id  text NOT NULL REFERENCES service_accounts (id) ON DELETE CASCADE,
        secret_sha256       bytea NOT NULL CHECK (length(secret_sha256) = 32),
        description         text NOT NULL DEFAULT '',
        created_at          timestamptz NOT NULL DEFAULT now(),
        revoked_at          timestamptz
      )`);
    await db.query(`CREATE INDEX api_keys_owner_idx ON api_keys (organization_id, service_account_id)`);
    await db.query(`
      CREATE TABLE statements (
        uid                   uuid PRIMARY KEY,
        organization_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        environment_id        text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        name                  text NOT NULL CHECK (name ~ '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' AND length(name) <= 72),
        statement             text NOT NULL,
        properties            jsonb NOT NULL DEFAULT '{}',
        compute_pool_id       text,
        principal             text NOT NULL,
        labels                jsonb NOT NULL DEFAULT '{}',
        stopped               boolean NOT NULL DEFAULT false,
        spec_version          integer NOT NULL DEFAULT 1,
        sql_kind              text NOT NULL,
        execution_mode        text NOT NULL CHECK (execution_mode IN ('metadata', 'foreground', 'background')),
        phase                 text NOT NULL DEFAULT 'PENDING' CHECK (phase IN
                                ('PENDING','RUNNING','COMPLETED','DELETING','FAILING','FAILED','STOPPING','STOPPED','DEGRADED')),
        detail                text NOT NULL DEFAULT '',
        warnings              jsonb NOT NULL DEFAULT '[]',
        traits                jsonb NOT NULL DEFAULT '{}',
        current_cfu           integer NOT NULL DEFAULT 0,
        job_id                text,
        savepoint_path        text,
        start_time            timestamptz,
        end_time              timestamptz,
        last_read_at          timestamptz,
        -- millisecond precision: list page tokens carry it and must round-trip exactly
        created_at            timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        resource_version      bigint NOT NULL DEFAULT 1,
        UNIQUE (organization_id, environment_id, name)
      )`);
    await db.query(
      `CREATE INDEX statements_page_idx ON statements (organization_id, environment_id, created_at, uid)`,
    );
    await db.query(
      `CREATE INDEX statements_active_idx ON statements (updated_at) WHERE phase NOT IN ('COMPLETED', 'FAILED', 'STOPPED')`,
    );
    await db.query(`
      CREATE TABLE statement_exceptions (
        id              bigserial PRIMARY KEY,
        statement_uid   uuid NOT NULL REFERENCES statements (uid) ON DELETE CASCADE,
        name            text NOT NULL,
        message         text NOT NULL,
        occurred_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX statement_exceptions_idx ON statement_exceptions (statement_uid, occurred_at DESC, id DESC)`,
    );
    await db.query(`
      CREATE TABLE statement_result_pages (
        statement_uid   uuid NOT NULL REFERENCES statements (uid) ON DELETE CASCADE,
        page            integer NOT NULL CHECK (page >= 0),
        rows            jsonb NOT NULL,
        last            boolean NOT NULL DEFAULT false,
        PRIMARY KEY (statement_uid, page)
      )`);
    await db.query(`
      CREATE TABLE idempotency_keys (
        organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        key              text NOT NULL,
        request_sha256   text NOT NULL,
        status           integer NOT NULL,
        body             jsonb NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, key)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_keys',
      'statement_result_pages',
      'statement_exceptions',
      'statements',
      'api_keys',
      'service_accounts',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
