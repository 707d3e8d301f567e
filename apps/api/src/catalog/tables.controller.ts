import { Controller, Get, Param } from '@nestjs/common';
import { ApiBasicAuth, ApiTags } from '@nestjs/swagger';
import { GetTable, ListTables, type Principal, type TableView } from '@riffle/application';
import { USER_FORMATS } from '@riffle/domain';
import { CurrentPrincipal, RequirePermission } from '../auth/api-key.guard';

const tablesPath = (org: string, env: string, database: string) =>
  `/catalog/v1/organizations/${org}/environments/${env}/databases/${encodeURIComponent(database)}/tables`;

function presentTable(org: string, view: TableView) {
  const { definition: table, environment, cluster } = view;
  return {
    api_version: 'catalog/v1',
    kind: 'Table',
    organization_id: org,
    environment_id: environment.id,
    name: table.name,
    metadata: { self: `${tablesPath(org, environment.id, cluster.id)}/${encodeURIComponent(table.name)}` },
    spec: {
      catalog: { id: environment.id, name: environment.name },
      database: { id: cluster.id, name: cluster.name },
      topic: table.name,
      columns: table.columns.map((column) => ({
        name: column.name,
        type: column.type,
        nullable: column.nullable,
        hidden: column.hidden === true,
        origin: column.origin,
        ...(column.metadataKey ? { metadata_key: column.metadataKey } : {}),
      })),
      primary_key: table.primaryKey ?? [],
      distribution: { keys: table.keyFields, buckets: table.partitions },
      partitions: table.partitions,
      changelog_mode: table.changelogMode,
      watermark: { column: table.watermark.column, expression: table.watermark.expression },
      key_format: USER_FORMATS[table.keyFormat],
      value_format: USER_FORMATS[table.valueFormat],
      options: view.options,
      show_create_table: view.showCreateTable,
    },
  };
}

/**
 * Tables of a database (DESIGN §4): the topics of one of the environment's Kafka clusters (`{cluster}` is
 * its id or display name), read live from Kafka and the registry.
 */
@ApiTags('catalog')
@ApiBasicAuth()
@Controller('catalog/v1/organizations/:org/environments/:env/databases/:cluster/tables')
export class TablesController {
  constructor(
    private readonly listTables: ListTables,
    private readonly getTable: GetTable,
  ) {}

  @Get()
  @RequirePermission('table.read')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Param('cluster') cluster: string,
  ) {
    const found = await this.listTables.execute(principal, org, env, cluster);
    const path = tablesPath(org, found.environment.id, found.cluster.id);
    return {
      api_version: 'catalog/v1',
      kind: 'TableList',
      metadata: { self: path },
      data: found.tables.map((name) => ({
        api_version: 'catalog/v1',
        kind: 'Table',
        name,
        metadata: { self: `${path}/${encodeURIComponent(name)}` },
      })),
    };
  }

  @Get(':table')
  @RequirePermission('table.read')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('env') env: string,
    @Param('cluster') cluster: string,
    @Param('table') table: string,
  ) {
    return presentTable(org, await this.getTable.execute(principal, org, env, cluster, table));
  }
}
