import { randomBytes } from 'node:crypto';

/**
 * Helpers for tests that talk to the real local stack. `npm test` starts the stack and passes its
 * addresses in the environment (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, FLINK_*, DATABASE_URL).
 */
export function stackEnv(): Record<string, string> {
  const env = process.env;
  const required = [
    'KAFKA_BOOTSTRAP_SERVERS',
    'SCHEMA_REGISTRY_URL',
    'FLINK_REST_URL',
    'FLINK_SQL_GATEWAY_URL',
    'DATABASE_URL',
  ];
  const missing = required.filter((name) => !env[name]);
  if (missing.length) throw new Error(`e2e tests need ${missing.join(', ')}; run them through \`npm test\``);
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** short, lowercase, unique per call: topic and tenant names never collide between tests or runs */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Polls `probe` until it returns a value other than undefined, or fails with the last reason. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 500 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}
