import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackPaths } from './paths';

/**
 * The local stack's secrets key (RIFFLE_SECRETS_KEY): 32 random bytes made at first start and kept in
 * .riffle/secrets-key (mode 600, git-ignored). Logical clusters' Kafka passwords are derived from it, so
 * it must stay the same across restarts; deleting .riffle resets it with everything else.
 */
export function localSecretsKey(home: string = stackPaths().home): string {
  const file = join(home, 'secrets-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
