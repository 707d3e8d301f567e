import type { SqlResolvedColumn } from '@riffle/domain';

/**
 * A view, persisted in the database (Kafka cluster) it was created in, for later statements to read
 * (DESIGN §9.3). The query is kept as written, with the current catalog and database it was created under,
 * so its unqualified names resolve as they did then; `reads` are the tables and views it names.
 */
export interface StoredView {
  clusterId: string;
  name: string;
  query: string;
  sessionCatalog: string;
  sessionDatabase: string;
  columnNames: string[];
  reads: string[][];
  /** the columns Flink derived when it was created */
  schema: SqlResolvedColumn[];
  comment?: string;
}

export abstract class ViewRepository {
  abstract find(clusterId: string, name: string): Promise<StoredView | undefined>;
  abstract list(clusterId: string): Promise<StoredView[]>;
  /** false when a view of that name exists already */
  abstract create(view: StoredView): Promise<boolean>;
  /** false when there was none */
  abstract delete(clusterId: string, name: string): Promise<boolean>;
}
