import { type PartitionOffsets, UsageEventLog } from '@riffle/application';
import { inSpan, SpanKind } from '@riffle/observability';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createTopicsWithLeaders } from './create-topics';
import { readUntilOffsets } from './read-until-offsets';

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
    private readonly scanTimeoutMs = 30_000,
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

  /**
   * Fences any earlier publisher, then reads the topic from `from` up to `to` (end offsets, read committed)
   * and answers the newest minute in it. It stops when every partition's fetch position has reached `to`,
   * counting the offsets of transaction markers and aborted records the consumer never delivers, so a
   * slow fetch is never taken for the end: a scan that cannot finish within `scanTimeoutMs` fails, and the
   * publisher retries on its next tick instead of publishing minutes again on a partial answer.
   */
  async lastMinuteSince(from: PartitionOffsets, to: PartitionOffsets): Promise<number | undefined> {
    if (!Object.entries(to).some(([p, end]) => BigInt(end) > BigInt(from[p] ?? '0'))) return undefined;
    await this.fenceEarlierPublishers();
    let last: number | undefined;
    try {
      await readUntilOffsets(
        this.kafka,
        this.topic,
        { from, to },
        (_partition, message) => {
          const event = JSON.parse(message.value?.toString() ?? '{}') as { data?: { minute?: string } };
          const minute = event.data?.minute ? Date.parse(event.data.minute) : NaN;
          if (!Number.isNaN(minute)) last = Math.max(last ?? minute, minute);
        },
        this.scanTimeoutMs,
      );
    } catch (error) {
      // a transaction opened since our producer last took over the id may be what blocks the scan:
      // the next attempt starts a fresh producer, which fences it
      await this.producer?.disconnect().catch(() => undefined);
      this.producer = undefined;
      throw error;
    }
    return last;
  }

  private connectedAdmin(): Admin {
    if (!this.admin) throw new Error('KafkaUsageEventLog used before the app bootstrapped');
    return this.admin;
  }

  /**
   * A publisher that lost the lock (its process killed, its Postgres session gone) may still hold an open
   * transaction, and could commit it after the scan decided what is on the topic: those minutes would be
   * published twice. Taking over the transactional id fences it: its transaction is aborted and it can
   * commit nothing more (the broker answers once the abort is written). A transaction begun and aborted
   * with nothing sent costs no request of its own.
   */
  private async fenceEarlierPublishers(): Promise<void> {
    const transaction = await (await this.transactionalProducer()).transaction();
    await transaction.abort();
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
