/** What a statement may name: its environment (DESIGN §1: environment = catalog, Kafka cluster = database). */
export interface StatementPolicyContext {
  /** the environment's catalog name as statements write it (the name the session installs the catalog as) */
  catalog: string;
  /** the environment's Kafka clusters, by the names statements use as databases */
  databases: readonly string[];
}
