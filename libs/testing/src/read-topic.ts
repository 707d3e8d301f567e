import { readUntilOffsets } from '@riffle/kafka';
import type { Kafka } from 'kafkajs';

/**
 * Every committed record value of a topic as it stands now, by partition then offset: read up to the end
 * offsets taken first (see readUntilOffsets), each offset once.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const byOffset = new Map<string, { partition: number; offset: bigint; value: string }>();
  await readUntilOffsets(
    kafka,
    topic,
    {
      from: Object.fromEntries(offsets.map((o) => [String(o.partition), o.low])),
      to: Object.fromEntries(offsets.map((o) => [String(o.partition), o.high])),
    },
    (partition, message) => {
      if (message.value)
        byOffset.set(`${partition}:${message.offset}`, {
          partition,
          offset: BigInt(message.offset),
          value: message.value.toString(),
        });
    },
    timeoutMs,
  );
  return [...byOffset.values()]
    .sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))
    .map((r) => r.value);
}
