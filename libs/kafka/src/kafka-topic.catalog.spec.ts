import { createServer } from 'node:net';
import type { KafkaClusterRecord } from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { KAFKA_BREAKER, KafkaTopicCatalog } from './kafka-topic.catalog';

/** a loopback port nothing listens on: connections to it are refused at once */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function timed(work: Promise<unknown>): Promise<{ ms: number; error: RiffleError }> {
  const started = Date.now();
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RiffleError)) throw new Error(`expected a RiffleError, got ${String(error)}`);
  return { ms: Date.now() - started, error };
}

describe('KafkaTopicCatalog against a broker that is down', () => {
  it('answers KAFKA_UNAVAILABLE within seconds, then at once while its circuit is open', async () => {
    const cluster: KafkaClusterRecord = {
      id: 'lkc-down',
      organizationId: 'org',
      environmentId: 'env',
      name: 'down',
      kind: 'external',
      bootstrapServers: `127.0.0.1:${await closedPort()}`,
      schemaRegistryUrl: 'http://127.0.0.1:1',
      createdAt: new Date(),
    };
    const catalog = new KafkaTopicCatalog({ cacheTtlMs: 0 });
    for (let call = 0; call < KAFKA_BREAKER.consecutiveFailures; call++) {
      const { ms, error } = await timed(catalog.listTopics(cluster));
      expect(error.code).toBe('KAFKA_UNAVAILABLE');
      expect(error.details).not.toHaveProperty('circuit');
      expect(ms).toBeLessThan(4_000);
    }
    const { ms, error } = await timed(catalog.listTopics(cluster));
    expect(error).toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      kind: 'unavailable',
      details: { circuit: 'open' },
    });
    expect(ms).toBeLessThan(50);
  }, 20_000);
});
