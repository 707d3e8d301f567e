import { RiffleError } from '../riffle-error';

/** DESIGN §3: statement names are DNS-label-like so they fit in URLs and Flink job names unescaped. */
export const STATEMENT_NAME_MAX_LENGTH = 72;
const STATEMENT_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function assertStatementName(name: unknown): string {
  if (
    typeof name === 'string' &&
    name.length <= STATEMENT_NAME_MAX_LENGTH &&
    STATEMENT_NAME_PATTERN.test(name)
  ) {
    return name;
  }
  throw new RiffleError(
    'INVALID_STATEMENT_NAME',
    'invalid',
    `name must be 1 to ${STATEMENT_NAME_MAX_LENGTH} characters of lowercase letters, digits and hyphens, ` +
      'starting and ending with a letter or digit (for example "orders-enriched-1").',
  );
}
