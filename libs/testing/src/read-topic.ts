import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/**
 * Every committed record value of a topic as it stands now, by partition then offset. Reads until each
 * partition's fetch position reaches the end offsets taken first (read committed), counting transaction
 * markers and aborted records the consumer never delivers, so a slow fetch is never taken for the end;
 * a record delivered twice (after a rebalance) is kept once. Fails if the end is not reached in time.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const remaining = new Map(
    offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]),
  );
  const records = new Map<string, { partition: number; offset: bigint; value: string }>();
  if (!remaining.size) return [];
  const consumer = kafka.consumer({ groupId: `read-to-end-${randomUUID()}`, readUncommitted: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`${topic}: end offsets not reached in ${timeoutMs} ms (${records.size} read)`)),
        timeoutMs,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const end = remaining.get(payload.partition);
        if (end !== undefined && payload.lastOffset !== null && BigInt(payload.lastOffset) + 1n >= end)
          remaining.delete(payload.partition);
        if (!remaining.size) resolve();
      });
      void (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.value && BigInt(message.offset) < (ends.get(partition) ?? 0n))
              records.set(`${partition}:${message.offset}`, {
                partition,
                offset: BigInt(message.offset),
                value: message.value.toString(),
              });
          },
        });
      })().catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return [...records.values()]
    .sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))
    .map((r) => r.value);
}
