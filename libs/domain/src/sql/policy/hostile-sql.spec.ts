import { HOSTILE_SQL, HOSTILE_SQL_CONTEXT, LEGITIMATE_SQL } from '../../../../../test/fixtures/hostile-sql';
import { RiffleError } from '../../riffle-error';
import { checkStatementPolicy } from './check-statement-policy';
import { SQL_POLICY_CODES } from './policy-errors';

function refusalOf(sql: string): RiffleError {
  try {
    checkStatementPolicy(sql, HOSTILE_SQL_CONTEXT);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error('accepted');
}

/** Codes the classification (before the policy) answers; every other refusal is the policy's. */
const PARSE_CODES = ['SQL_TOO_LARGE', 'SQL_TOO_COMPLEX', 'SQL_SYNTAX_ERROR', 'SQL_MULTIPLE_STATEMENTS'];

describe('the hostile SQL corpus', () => {
  it('has at least 160 cases, each named once and answered by a known code', () => {
    expect(HOSTILE_SQL.length).toBeGreaterThanOrEqual(160);
    expect(new Set(HOSTILE_SQL.map((c) => c.name)).size).toBe(HOSTILE_SQL.length);
    for (const { code } of HOSTILE_SQL) expect([...SQL_POLICY_CODES, ...PARSE_CODES]).toContain(code);
  });

  it('exercises every policy code', () => {
    expect(new Set(HOSTILE_SQL.map((c) => c.code))).toEqual(new Set([...SQL_POLICY_CODES, ...PARSE_CODES]));
  });
});

describe('checkStatementPolicy on hostile SQL', () => {
  it.each(HOSTILE_SQL)('$name → $code', ({ sql, code }) => {
    const refusal = refusalOf(sql);
    expect(refusal.code).toBe(code);
    expect(refusal.message).not.toMatch(/\n\s+at /); // a message, never a stack trace
  });
});

describe('checkStatementPolicy on legitimate SQL', () => {
  it.each(LEGITIMATE_SQL)('accepts $name', ({ sql }) => {
    expect(() => checkStatementPolicy(sql, HOSTILE_SQL_CONTEXT)).not.toThrow();
  });
});
