import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/** partition → offset, as Kafka's end offsets: the next offset to be written */
type Offsets = Record<string, string>;

/**
 * Reads a topic's partitions from `from` up to `to` (exclusive), read committed, handing every record
 * below `to` to `onMessage`. It ends when each partition's fetch position has reached `to`, counted from
 * kafkajs' batch events, which also cover batches holding only transaction markers or aborted records
 * (offsets no message is delivered for): a slow fetch is never taken for the end. Fails after
 * `timeoutMs`. A record delivered twice (a rebalance) reaches `onMessage` twice; key by offset if that
 * matters.
 */
export async function readUntilOffsets(
  kafka: Kafka,
  topic: string,
  range: { from: Offsets; to: Offsets },
  onMessage: (partition: number, message: KafkaMessage) => void,
  timeoutMs: number,
): Promise<void> {
  const ends = new Map(Object.entries(range.to).map(([p, end]) => [Number(p), BigInt(end)]));
  const remaining = new Map([...ends].filter(([p, end]) => end > BigInt(range.from[String(p)] ?? '0')));
  if (!remaining.size) return;
  const consumer = kafka.consumer({ groupId: `riffle-read-${randomUUID()}`, readUncommitted: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`could not read ${topic} to its end offsets within ${timeoutMs / 1000} s`)),
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
            if (BigInt(message.offset) < (ends.get(partition) ?? 0n)) onMessage(partition, message);
          },
        });
        for (const partition of remaining.keys())
          consumer.seek({ topic, partition, offset: range.from[String(partition)] ?? '0' });
      })().catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}
