import { KafkaUsageEventLog } from '@riffle/kafka';
import { eventually, stackEnv, uniqueSuffix } from '@riffle/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';

/**
 * The publisher trusts this scan to say which minute a dead publisher got onto the topic: an answer
 * short of the end publishes those minutes again (duplicate usage events), so the scan reads to the
 * end offsets it was given, through transaction markers and aborted records, and fences a predecessor
 * that still holds a transaction open.
 */
describe('usage event log: the newest minute since an offset', () => {
  const env = stackEnv();
  const kafka = new Kafka({ brokers: env.KAFKA_BOOTSTRAP_SERVERS!.split(','), logLevel: logLevel.NOTHING });
  const topic = `riffle.usage-log-${uniqueSuffix()}`;
  const transactionalId = `riffle-usage-log-e2e-${uniqueSuffix()}`;
  const log = new KafkaUsageEventLog(kafka, topic, transactionalId, 20_000);
  const minute = (m: number) => Date.UTC(2026, 11, 1, 0, m);
  const events = (from: number, count: number, perMinute: number) =>
    Array.from({ length: count * perMinute }, (_, i) => {
      const at = from + Math.floor(i / perMinute);
      return {
        key: `s-${i % perMinute}`,
        event: { id: `s-${i}:${at}`, data: { minute: new Date(minute(at)).toISOString() } },
      };
    });
  const others: Producer[] = [];
  const transactional = async (id: string) => {
    const producer = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    others.push(producer);
    return producer;
  };
  const send = (minuteIndex: number) => ({
    topic,
    messages: [
      { key: 'x', value: JSON.stringify({ data: { minute: new Date(minute(minuteIndex)).toISOString() } }) },
    ],
  });

  /**
   * publishes, then waits for the end offsets to cover the transaction: its commit marker is written
   * after the commit returns, and until then the read-committed end offsets stop before it
   */
  const published = async (list: ReturnType<typeof events>) => {
    const before = BigInt((await log.endOffsets())['0'] ?? '0');
    await log.publish(list);
    return eventually(
      'the commit marker written',
      async () => {
        const end = await log.endOffsets();
        return BigInt(end['0'] ?? '0') > before + BigInt(list.length) ? end : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  };

  beforeAll(() => log.onApplicationBootstrap());
  afterAll(async () => {
    for (const producer of others) await producer.disconnect().catch(() => undefined);
    await log.onApplicationShutdown();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('answers the newest minute of thousands of records published since, and nothing before them', async () => {
    const start = await log.endOffsets();
    expect(await log.lastMinuteSince(start, start)).toBeUndefined();
    await published(events(0, 60, 100)); // 6,000 events, minutes 0..59
    const middle = await published(events(60, 60, 100)); // minutes 60..119
    const end = await published(events(120, 3, 100)); // minutes 120..122
    expect(await log.lastMinuteSince(start, end)).toBe(minute(122));
    expect(await log.lastMinuteSince(start, middle)).toBe(minute(119));
    expect(await log.lastMinuteSince(middle, end)).toBe(minute(122));
  }, 120_000);

  it('reads past an aborted transaction at the end, and past one a dead publisher left open', async () => {
    const before = await log.endOffsets();
    await published(events(200, 1, 10));
    const aborted = await transactional(`riffle-usage-log-aborter-${uniqueSuffix()}`);
    const abort = await aborted.transaction();
    await abort.send(send(300));
    await abort.abort();
    expect(await log.lastMinuteSince(before, await log.endOffsets())).toBe(minute(200));

    // a publisher of this deployment (same transactional id) lost the lock with a transaction open: its
    // successor fences it before deciding what is on the topic, so it can never commit those minutes
    const zombie = await (await transactional(transactionalId)).transaction();
    await zombie.send(send(400));
    const afterDeath = await log.endOffsets();
    // the publisher that comes back after it: a new process, a new producer
    const restarted = new KafkaUsageEventLog(kafka, topic, transactionalId, 20_000);
    await restarted.onApplicationBootstrap();
    try {
      const started = Date.now();
      expect(await restarted.lastMinuteSince(before, afterDeath)).toBe(minute(200));
      expect(Date.now() - started).toBeLessThan(15_000); // not the broker's transaction timeout (60 s)
      await expect(zombie.commit()).rejects.toThrow(); // fenced: its minute never becomes visible
    } finally {
      await restarted.onApplicationShutdown();
    }
  }, 120_000);
});
