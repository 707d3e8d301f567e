import { randomUUID } from 'node:crypto';
import { type PartitionOffsets, UsageEventLog } from '@riffle/application';
import { inSpan, SpanKind } from '@riffle/observability';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createTopicsWithLeaders } from './create-topics';

const SEND_BATCH = 500;

/**
 * The usage CloudEvents topic. A transactional producer (one transactional id per deployment, so a
 * second publisher fences the first) writes each minute's events in one transaction.
 */
export class KafkaUsageEventLog extends UsageEventLog {
  private admin: Admin | undefined;
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly transactionalId: string,
  ) {
    super();
  }

  /** Nest lifecycle: the topic exists (one partition keeps minutes in order) before anything publishes */
  async onApplicationBootstrap(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await createTopicsWithLeaders(this.admin, [
      { topic: this.topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
    ]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }

  async endOffsets(): Promise<PartitionOffsets> {
    const offsets = await this.connectedAdmin().fetchTopicOffsets(this.topic);
    return Object.fromEntries(offsets.map((o) => [String(o.partition), o.high]));
  }

  /** one PRODUCER span `kafka <topic> publish` per transaction */
  publish(events: { key: string; event: object }[]): Promise<PartitionOffsets> {
    return inSpan(
      '@riffle/kafka',
      `kafka ${this.topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': this.topic,
          'messaging.operation.type': 'send',
          'messaging.batch.message_count': events.length,
        },
      },
      () => this.publishInTransaction(events),
    );
  }

  private async publishInTransaction(events: { key: string; event: object }[]): Promise<PartitionOffsets> {
    const producer = await this.transactionalProducer();
    const transaction = await producer.transaction();
    try {
      // one transaction, several produce requests: each stays under the broker's message size limit
      for (let i = 0; i < events.length; i += SEND_BATCH) {
        await transaction.send({
          topic: this.topic,
          messages: events.slice(i, i + SEND_BATCH).map(({ key, event }) => ({
            key,
            value: JSON.stringify(event),
            headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' },
          })),
        });
      }
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      // a fenced or broken producer is not reused: the next publish starts a fresh one
      await producer.disconnect().catch(() => undefined);
      this.producer = undefined;
      throw error;
    }
    return this.endOffsets();
  }

  async lastMinuteSince(from: PartitionOffsets, to: PartitionOffsets): Promise<number | undefined> {
    const pending = Object.entries(to).filter(([p, end]) => BigInt(end) > BigInt(from[p] ?? '0'));
    if (!pending.length) return undefined;
    const consumer = this.kafka.consumer({
      groupId: `riffle-usage-scan-${randomUUID()}`,
      readUncommitted: false,
    });
    let last: number | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      const remaining = new Set(pending.map(([p]) => p));
      await new Promise<void>((resolve, reject) => {
        // transaction markers occupy offsets no message is delivered for: stop at the end or when idle
        let idle = setTimeout(resolve, 5_000);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              clearTimeout(idle);
              idle = setTimeout(resolve, 1_500);
              const event = JSON.parse(message.value?.toString() ?? '{}') as { data?: { minute?: string } };
              const minute = event.data?.minute ? Date.parse(event.data.minute) : NaN;
              if (!Number.isNaN(minute)) last = Math.max(last ?? minute, minute);
              if (BigInt(message.offset) + 1n >= BigInt(to[String(partition)] ?? '0') - 1n) {
                remaining.delete(String(partition));
                if (!remaining.size) {
                  clearTimeout(idle);
                  resolve();
                }
              }
            },
          })
          .catch(reject);
        for (const [partition] of pending)
          consumer.seek({ topic: this.topic, partition: Number(partition), offset: from[partition] ?? '0' });
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    return last;
  }

  private connectedAdmin(): Admin {
    if (!this.admin) throw new Error('KafkaUsageEventLog used before the app bootstrapped');
    return this.admin;
  }

  private async transactionalProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        transactionalId: this.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }
}
