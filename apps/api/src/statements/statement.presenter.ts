import type { StatementRecord } from '@riffle/application';

export const statementsPath = (org: string, env: string) =>
  `/sql/v1/organizations/${org}/environments/${env}/statements`;

type PresentedStatement = ReturnType<typeof present>;
const presented = new WeakMap<StatementRecord, PresentedStatement>();

/**
 * The public Statement resource (DESIGN §3), following the leading managed service's shape. A frozen
 * record (the read cache's, shared by every GET until the statement changes) cannot change, so neither
 * can its presentation: it is built once.
 */
export function presentStatement(s: StatementRecord): PresentedStatement {
  if (!Object.isFrozen(s)) return present(s);
  let resource = presented.get(s);
  if (!resource) presented.set(s, (resource = present(s)));
  return resource;
}

const serialised = new WeakMap<StatementRecord, Buffer>();

/**
 * The resource as UTF-8 JSON, likewise built once per frozen record: the read path sends these bytes
 * as they are, neither serialising nor encoding per request.
 */
export function statementJson(s: StatementRecord): Buffer {
  // looked up first: asking whether an object is frozen costs a runtime call on every GET
  let json = serialised.get(s);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(presentStatement(s)));
    if (Object.isFrozen(s)) serialised.set(s, json);
  }
  return json;
}

function present(s: StatementRecord) {
  return {
    api_version: 'sql/v1',
    kind: 'Statement',
    organization_id: s.organizationId,
    environment_id: s.environmentId,
    name: s.name,
    metadata: {
      self: `${statementsPath(s.organizationId, s.environmentId)}/${s.name}`,
      uid: s.uid,
      created_at: s.createdAt.toISOString(),
      updated_at: s.updatedAt.toISOString(),
      resource_version: String(s.resourceVersion),
      labels: s.labels,
    },
    spec: {
      statement: s.statement,
      properties: s.properties,
      compute_pool_id: s.computePoolId,
      principal: s.principal,
      stopped: s.stopped,
    },
    status: {
      phase: s.phase,
      detail: s.detail,
      warnings: s.warnings,
      traits: s.traits,
      scaling_status: {
        scaling_state: s.scalingStatus.scaling_state,
        reason: s.scalingStatus.reason ?? '',
        last_updated: s.scalingStatus.last_updated ?? s.updatedAt.toISOString(),
      },
      current_cfu: s.currentCfu,
      latest_offsets: {},
      start_time: s.startTime?.toISOString() ?? null,
      end_time: s.endTime?.toISOString() ?? null,
    },
  };
}
