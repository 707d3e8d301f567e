import { RiffleError } from '../riffle-error';
import { assertStatementName, STATEMENT_NAME_MAX_LENGTH } from './statement-name';

function rejectionOf(name: unknown): RiffleError {
  try {
    assertStatementName(name);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(name)} to be rejected`);
}

describe('assertStatementName', () => {
  it.each([
    ['a single letter', 'a'],
    ['a single digit', '7'],
    ['letters, digits and inner hyphens', 'orders-enriched-2024'],
    ['consecutive inner hyphens', 'a--b'],
    ['only digits', '0123'],
    ['exactly the maximum length', 'a'.repeat(STATEMENT_NAME_MAX_LENGTH)],
  ])('accepts %s', (_case, name) => {
    expect(assertStatementName(name)).toBe(name);
  });

  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['one character too many', 'a'.repeat(STATEMENT_NAME_MAX_LENGTH + 1)],
    ['uppercase letters', 'Orders'],
    ['a leading hyphen', '-orders'],
    ['a trailing hyphen', 'orders-'],
    ['a lone hyphen', '-'],
    ['an underscore', 'my_statement'],
    ['a dot', 'my.statement'],
    ['a space', 'my statement'],
    ['a trailing newline', 'orders\n'],
    ['a non-ASCII letter', 'bestellungen-ü'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { name: 'orders' }],
  ])('rejects %s', (_case, name) => {
    const error = rejectionOf(name);
    expect(error.code).toBe('INVALID_STATEMENT_NAME');
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain(`1 to ${STATEMENT_NAME_MAX_LENGTH} characters`);
    expect(error.message).toContain('lowercase letters, digits and hyphens');
  });
});
