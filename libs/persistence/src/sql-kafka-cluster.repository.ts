import {
  type ClusterCredentials,
  type KafkaClusterRecord,
  KafkaClusterRepository,
  TtlCache,
} from '@riffle/application';
import { RiffleError, type StoredColumn, type TableSettings } from '@riffle/domain';
import type { DataSource } from 'typeorm';
import type { ClusterSecrets } from './cluster-secrets';

interface ClusterRow {
  id: string;
  organization_id: string;
  environment_id: string;
  name: string;
  kind: 'logical' | 'external';
  credentials_sealed: string | null;
  bootstrap_servers: string;
  schema_registry_url: string;
  created_at: Date;
}

/** where Riffle's own clients reach the platform Kafka and registry, which logical clusters live on */
export interface PlatformKafka {
  bootstrapServers: string;
  schemaRegistryUrl: string;
  /** Riffle's own login to it (KAFKA_SASL_*, KAFKA_TLS), if it needs one */
  credentials?: ClusterCredentials;
}

/**
 * Table settings are read for every table a statement or a catalog read touches, so they are kept for a
 * second (like the topic catalog's reads, DESIGN §4 metadata sync); this process's own writes drop them
 * at once, another replica's show within the second.
 */
const SETTINGS_TTL_MS = 1_000;

export class SqlKafkaClusterRepository extends KafkaClusterRepository {
  private readonly settings = new TtlCache<TableSettings | undefined>(SETTINGS_TTL_MS, 10_000);

  /**
   * `platform`: where logical clusters are (without it, only external clusters have addresses);
   * `secrets`: seals and opens registered clusters' credentials (without it, none can be stored or read)
   */
  constructor(
    private readonly db: DataSource,
    private readonly platform?: PlatformKafka,
    private readonly secrets?: ClusterSecrets,
  ) {
    super();
  }

  private requireSecrets(): ClusterSecrets {
    if (!this.secrets) throw new Error('cluster credentials need RIFFLE_SECRETS_KEY (ClusterSecrets)');
    return this.secrets;
  }

  private toRecord(r: ClusterRow): KafkaClusterRecord {
    const logical = r.kind === 'logical';
    return {
      id: r.id,
      organizationId: r.organization_id,
      environmentId: r.environment_id,
      name: r.name,
      kind: r.kind,
      bootstrapServers: logical ? (this.platform?.bootstrapServers ?? '') : r.bootstrap_servers,
      schemaRegistryUrl: logical ? (this.platform?.schemaRegistryUrl ?? '') : r.schema_registry_url,
      ...(r.credentials_sealed
        ? {
            credentials: JSON.parse(
              this.requireSecrets().open(r.id, r.credentials_sealed),
            ) as ClusterCredentials,
          }
        : {}),
      createdAt: r.created_at,
    };
  }

  async insert(c: Omit<KafkaClusterRecord, 'createdAt'>): Promise<KafkaClusterRecord> {
    try {
      const rows: ClusterRow[] = await this.db.query(
        `INSERT INTO kafka_clusters (id, organization_id, environment_id, name, kind, bootstrap_servers, schema_registry_url, credentials_sealed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          c.id,
          c.organizationId,
          c.environmentId,
          c.name,
          c.kind,
          // a logical cluster's addresses are the platform's, from configuration: never stored
          c.kind === 'logical' ? '' : c.bootstrapServers,
          c.kind === 'logical' ? '' : c.schemaRegistryUrl,
          c.credentials ? this.requireSecrets().seal(c.id, JSON.stringify(c.credentials)) : null,
        ],
      );
      return this.toRecord(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new RiffleError(
          'KAFKA_CLUSTER_EXISTS',
          'conflict',
          `A Kafka cluster named "${c.name}" exists in this environment.`,
        );
      }
      throw error;
    }
  }

  async list(organizationId: string, environmentId: string): Promise<KafkaClusterRecord[]> {
    const rows: ClusterRow[] = await this.db.query(
      'SELECT * FROM kafka_clusters WHERE organization_id = $1 AND environment_id = $2 ORDER BY created_at, id',
      [organizationId, environmentId],
    );
    return rows.map((row) => this.toRecord(row));
  }

  findTableSettings(clusterId: string, topic: string): Promise<TableSettings | undefined> {
    return this.settings.get(JSON.stringify([clusterId, topic]), () =>
      this.loadTableSettings(clusterId, topic),
    );
  }

  private async loadTableSettings(clusterId: string, topic: string): Promise<TableSettings | undefined> {
    const rows: SettingsRow[] = await this.db.query(
      'SELECT watermark_column, watermark_expression, options, columns FROM table_settings WHERE kafka_cluster_id = $1 AND topic = $2',
      [clusterId, topic],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...(row.watermark_column !== null && row.watermark_expression !== null
        ? { watermark: { column: row.watermark_column, expression: row.watermark_expression } }
        : {}),
      options: row.options,
      ...(row.columns.length ? { columns: row.columns } : {}),
    };
  }

  async saveTableSettings(clusterId: string, topic: string, settings: TableSettings): Promise<void> {
    try {
      await this.writeTableSettings(clusterId, topic, settings);
    } finally {
      this.settings.delete(JSON.stringify([clusterId, topic]));
    }
  }

  private async writeTableSettings(clusterId: string, topic: string, settings: TableSettings): Promise<void> {
    if (!settings.watermark && Object.keys(settings.options).length === 0 && !settings.columns?.length) {
      await this.db.query('DELETE FROM table_settings WHERE kafka_cluster_id = $1 AND topic = $2', [
        clusterId,
        topic,
      ]);
      return;
    }
    await this.db.query(
      `INSERT INTO table_settings (kafka_cluster_id, topic, watermark_column, watermark_expression, options, columns)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (kafka_cluster_id, topic) DO UPDATE SET
         watermark_column = EXCLUDED.watermark_column,
         watermark_expression = EXCLUDED.watermark_expression,
         options = EXCLUDED.options,
         columns = EXCLUDED.columns,
         updated_at = now()`,
      [
        clusterId,
        topic,
        settings.watermark?.column ?? null,
        settings.watermark?.expression ?? null,
        JSON.stringify(settings.options),
        JSON.stringify(settings.columns ?? []),
      ],
    );
  }
}

interface SettingsRow {
  watermark_column: string | null;
  watermark_expression: string | null;
  options: Record<string, string>;
  columns: StoredColumn[];
}
