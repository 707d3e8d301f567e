import { randomBytes } from 'node:crypto';
import { ClusterSecrets } from './cluster-secrets';

describe('ClusterSecrets', () => {
  const secrets = new ClusterSecrets(randomBytes(32));

  it('opens what it sealed, and never stores the plaintext', () => {
    const sealed = secrets.seal('lkc-1', '{"password":"hunter2"}');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('hunter2');
    expect(secrets.open('lkc-1', sealed)).toBe('{"password":"hunter2"}');
    expect(secrets.seal('lkc-1', 'x')).not.toBe(secrets.seal('lkc-1', 'x'));
  });

  it("refuses another cluster's value, a tampered one and another key's", () => {
    const sealed = secrets.seal('lkc-1', 'secret');
    expect(() => secrets.open('lkc-2', sealed)).toThrow('do not decrypt');
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => secrets.open('lkc-1', [v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow(
      'do not decrypt',
    );
    expect(() => new ClusterSecrets(randomBytes(32)).open('lkc-1', sealed)).toThrow('RIFFLE_SECRETS_KEY');
    expect(() => secrets.open('lkc-1', 'plain')).toThrow('not in a format');
  });
});
