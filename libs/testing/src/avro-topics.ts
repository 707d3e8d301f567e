import { createTopicsWithLeaders } from '@riffle/kafka';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { type Admin, Kafka, logLevel } from 'kafkajs';

export const ORDER_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'dev.riffle.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};

export interface Order {
  id: number;
  customer: string;
  amount: number;
}

/** Avro topics on the real Kafka + registry, the way a tenant's producers would write them. */
export class AvroTopics {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistry;
  private admin: Admin | undefined;

  constructor(brokers: string[], registryUrl: string) {
    this.kafka = new Kafka({ clientId: 'riffle-e2e', brokers, logLevel: logLevel.NOTHING });
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  async create(topic: string, partitions: number, schema: object = ORDER_SCHEMA): Promise<number> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    await createTopicsWithLeaders(this.admin, [{ topic, numPartitions: partitions }]);
    const { id } = await this.registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-value` },
    );
    return id;
  }

  async produce(topic: string, schemaId: number, records: object[]): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: await Promise.all(
          records.map(async (r) => ({ value: await this.registry.encode(schemaId, r) })),
        ),
      });
    } finally {
      await producer.disconnect();
    }
  }

  /** every committed record of the topic, decoded (read_committed: aborted transactions are skipped) */
  async readAll<T>(topic: string, expected: number, timeoutMs = 60_000): Promise<T[]> {
    const consumer = this.kafka.consumer({
      groupId: `reader-${topic}-${Date.now()}`,
      readUncommitted: false,
    });
    const received: T[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value) received.push((await this.registry.decode(message.value)) as T);
        },
      });
      const deadline = Date.now() + timeoutMs;
      while (received.length < expected && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
      return [...received];
    } finally {
      await consumer.disconnect();
    }
  }

  async delete(topics: string[]): Promise<void> {
    await this.admin?.deleteTopics({ topics }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}
