import type { StatementRecord } from '@riffle/application';
import { aStatementRecord } from '@riffle/testing';
import { presentStatement, statementJson } from './statement.presenter';

const record = (): StatementRecord =>
  aStatementRecord({
    properties: { 'sql.current-catalog': 'default' },
    labels: { team: 'data' },
    startTime: new Date(1_000),
    updatedAt: new Date(2_000),
    resourceVersion: 7,
  });

describe('presentStatement', () => {
  it('is the public Statement resource', () => {
    expect(presentStatement(record())).toMatchObject({
      api_version: 'sql/v1',
      kind: 'Statement',
      name: 'orders',
      metadata: {
        self: '/sql/v1/organizations/org-1/environments/env-1/statements/orders',
        resource_version: '7',
        created_at: '1970-01-01T00:00:00.000Z',
        labels: { team: 'data' },
      },
      spec: { statement: 'SELECT 1', stopped: false },
      status: { phase: 'RUNNING', start_time: '1970-01-01T00:00:01.000Z', end_time: null },
    });
  });

  it('builds a frozen (cached, shared) record once', () => {
    const shared = Object.freeze(record());
    expect(presentStatement(shared)).toBe(presentStatement(shared));
  });

  it('builds a mutable record afresh each time', () => {
    const fresh = record();
    const first = presentStatement(fresh);
    fresh.phase = 'STOPPED';
    expect(presentStatement(fresh)).not.toBe(first);
    expect(presentStatement(fresh).status.phase).toBe('STOPPED');
  });
});

describe('statementJson', () => {
  it('is the presented resource as JSON', () => {
    expect(JSON.parse(statementJson(record()).toString())).toEqual(
      JSON.parse(JSON.stringify(presentStatement(record()))),
    );
  });

  it('encodes a frozen record once, and a mutable one as it is now', () => {
    const shared = Object.freeze(record());
    expect(statementJson(shared)).toBe(statementJson(shared));
    const fresh = record();
    expect(JSON.parse(statementJson(fresh).toString()).status.phase).toBe('RUNNING');
    fresh.phase = 'STOPPED';
    expect(JSON.parse(statementJson(fresh).toString()).status.phase).toBe('STOPPED');
  });
});
