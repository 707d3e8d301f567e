import { RiffleError } from '../riffle-error';

/** Options Riffle stores with a table (CREATE TABLE … WITH, ALTER TABLE SET/RESET): where its statements read from and to. */
export const STORED_TABLE_OPTIONS = [
  'scan.startup.mode',
  'scan.startup.timestamp-millis',
  'scan.bounded.mode',
  'scan.bounded.timestamp-millis',
] as const;

/**
 * Stored options after `changes` (null: reset), checked as a whole: a `timestamp` mode needs its
 * timestamp, and a timestamp without its mode would be silently ignored by Flink.
 */
export function mergeTableOptions(
  stored: Readonly<Record<string, string>>,
  changes: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const merged: Record<string, string> = { ...stored };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  for (const side of ['startup', 'bounded'] as const) {
    const mode = `scan.${side}.mode`;
    const millis = `scan.${side}.timestamp-millis`;
    if (merged[mode] === 'timestamp' && merged[millis] === undefined)
      throw badOption(mode, `is 'timestamp', so '${millis}' must be set too.`);
    if (merged[millis] !== undefined && merged[mode] !== 'timestamp')
      throw badOption(millis, `only applies when '${mode}' is 'timestamp'.`);
  }
  return merged;
}

const badOption = (key: string, why: string) =>
  new RiffleError('INVALID_TABLE_OPTION', 'invalid', `Table option '${key}' ${why}`, { option: key });
