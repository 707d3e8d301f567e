import { checkHints } from './hint-policy';

/** hints as Flink's parser reads them (the analyzer lists options and values) */
const hint = (name: string, options: Record<string, string> = {}, values: string[] = []) => ({
  name,
  options,
  values,
});

describe('checkHints', () => {
  it.each([
    [
      hint('OPTIONS', { 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': '1735689600000' }),
      undefined,
    ],
    [hint('STATE_TTL', { orders: '36 h' }), undefined],
    [hint('LOOKUP', { table: 'c', async: 'true', 'output-mode': 'allow_unordered' }), undefined],
    [hint('SHUFFLE_HASH', {}, ['a']), undefined],
    [hint('broadcast', {}, ['a', 'b']), undefined],
    [hint('OPTIONS', { 'scan.bounded.mode': 'latest-offset' }), undefined],
    [hint('OPTIONS', { 'changelog.mode': 'upsert' }), 'OPTION_NOT_ALLOWED'],
    [hint('OPTIONS', { connector: 'filesystem' }), 'OPTION_NOT_ALLOWED'],
    [hint('OPTIONS', { 'scan.startup.timestamp-millis': 'yesterday' }), 'OPTION_NOT_ALLOWED'],
    [hint('OPTIONS', {}, ['a']), 'HINT_NOT_ALLOWED'],
    [hint('OPTIONS'), 'HINT_NOT_ALLOWED'],
    [hint('BROADCAST', { a: 'b' }), 'HINT_NOT_ALLOWED'],
    [hint('STATE_TTL', { o: 'forever and a day' }), 'HINT_NOT_ALLOWED'],
    [hint('LOOKUP', { table: 'c; x' }), 'HINT_NOT_ALLOWED'],
    [hint('LOOKUP', { url: 'http://x' }), 'OPTION_NOT_ALLOWED'],
    [hint('JSON_AGG'), 'HINT_NOT_ALLOWED'],
    [{ ...hint('OPTIONS'), unreadable: true }, 'HINT_NOT_ALLOWED'],
  ])('%j → %s', (h, code) => {
    expect(checkHints([h])?.code).toBe(code);
  });

  it('answers the first refused hint of several', () => {
    expect(
      checkHints([hint('NEST_LOOP', {}, ['a']), hint('X'), hint('OPTIONS', { path: '/' })])?.details,
    ).toEqual({
      hint: '/*+ X */',
    });
  });
});
