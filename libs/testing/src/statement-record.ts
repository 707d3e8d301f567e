import type { StatementRecord } from '@riffle/application';

/** a complete statement row as the repositories return it, for unit tests; override what the test is about */
export function aStatementRecord(overrides: Partial<StatementRecord> = {}): StatementRecord {
  return {
    uid: 'uid-1',
    organizationId: 'org-1',
    environmentId: 'env-1',
    name: 'orders',
    statement: 'SELECT 1',
    properties: {},
    computePoolId: null,
    principal: 'sa-1',
    labels: {},
    stopped: false,
    sqlKind: 'SELECT',
    executionMode: 'foreground',
    analysis: null,
    phase: 'RUNNING',
    detail: '',
    warnings: [],
    traits: {},
    currentCfu: 1,
    admittedCfu: 1,
    scalingStatus: { scaling_state: 'OK' },
    jobId: null,
    cellId: null,
    savepointPath: null,
    startTime: null,
    endTime: null,
    lastReadAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    resourceVersion: 1,
    ...overrides,
  };
}
