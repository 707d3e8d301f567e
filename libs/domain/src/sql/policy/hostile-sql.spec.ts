import { policyOn, refusalOf } from '../../../../../test/fixtures/flink-sql-readings';
import { HOSTILE_SQL, HOSTILE_SQL_CONTEXT, LEGITIMATE_SQL } from '../../../../../test/fixtures/hostile-sql';
import { SQL_POLICY_CODES } from './policy-errors';

/** Codes the reading of the text (before the policy) answers; every other refusal is the policy's. */
const PARSE_CODES = ['SQL_TOO_LARGE', 'SQL_TOO_COMPLEX', 'SQL_SYNTAX_ERROR', 'SQL_MULTIPLE_STATEMENTS'];
const DOOR_CODES = ['NOT_SUPPORTED_YET'];

describe('the hostile SQL corpus', () => {
  it('has at least 160 cases, each named once and answered by a known code', () => {
    expect(HOSTILE_SQL.length).toBeGreaterThanOrEqual(160);
    expect(new Set(HOSTILE_SQL.map((c) => c.name)).size).toBe(HOSTILE_SQL.length);
    for (const { code } of HOSTILE_SQL)
      expect([...SQL_POLICY_CODES, ...PARSE_CODES, ...DOOR_CODES]).toContain(code);
  });

  it('exercises every policy code', () => {
    const codes = new Set(HOSTILE_SQL.map((c) => c.code));
    for (const code of [...SQL_POLICY_CODES, ...PARSE_CODES])
      expect([code, codes.has(code)]).toEqual([code, true]);
  });
});

/** The policy on Flink's own reading of each case (recorded: test/fixtures/flink-sql-readings.ts). */
describe('checkStatementPolicy on hostile SQL', () => {
  it.each(HOSTILE_SQL)('$name → $code', async ({ sql, code }) => {
    const refusal = await refusalOf(sql, HOSTILE_SQL_CONTEXT);
    expect(refusal.code).toBe(code);
    expect(refusal.message).not.toMatch(/\n\s+at /); // a message, never a stack trace
  });
});

describe('checkStatementPolicy on legitimate SQL', () => {
  it.each(LEGITIMATE_SQL)('accepts $name', async ({ sql }) => {
    await expect(policyOn(sql, HOSTILE_SQL_CONTEXT)).resolves.toBeDefined();
  });
});
