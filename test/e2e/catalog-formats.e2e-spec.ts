import { createTopicsWithLeaders } from '@riffle/kafka';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { eventually, uniqueSuffix } from '@riffle/testing';
import { CatalogSession } from './support/catalog-session';

/** A JSON Schema as Kafka Connect's converter writes them: `connect.type`, a nested object, a nullable field. */
const READING_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Reading',
  type: 'object',
  properties: {
    id: { type: 'integer', 'connect.type': 'int32' },
    sensor: { type: 'string' },
    reading: { type: 'number' },
    measured_at: { type: 'string', format: 'date-time' },
    tags: { type: 'array', items: { type: 'string' } },
    location: {
      type: 'object',
      properties: { lat: { type: 'number' }, lon: { type: 'number' } },
      required: ['lat', 'lon'],
    },
    note: { type: ['null', 'string'] },
  },
  required: ['id', 'sensor', 'reading', 'measured_at', 'tags', 'location', 'note'],
};

const READINGS = [
  {
    id: 1,
    sensor: 'boiler',
    reading: 81.5,
    measured_at: '2024-05-01T10:00:00.123Z',
    tags: ['hot', 'north'],
    location: { lat: 45.75, lon: 4.85 },
    note: 'checked',
  },
  {
    id: 2,
    sensor: 'pump',
    reading: -3.25,
    measured_at: '2024-05-01T10:00:01.500Z',
    tags: [],
    location: { lat: 59.91, lon: 10.75 },
    note: null,
  },
];

const COLUMNS = 'id, sensor, reading, measured_at, tags, location, note';

/** Every shape the Protobuf wire plan covers without imports (kafkajs' encoder resolves no imported types). */
const SHIPMENT_PROTO = `syntax = "proto3";
package riffle.test;
message Shipment {
  int64 id = 1;
  sint32 delta = 2;
  Status status = 3;
  Address address = 4;
  repeated string tags = 5;
  repeated int32 sizes = 6;
  map<string, int64> counts = 7;
  optional string note = 8;
  oneof payment {
    string card = 9;
    double cash = 10;
  }
  fixed32 checksum = 11;
  enum Status {
    UNKNOWN = 0;
    PAID = 1;
    SHIPPED = 2;
  }
  message Address {
    string city = 1;
    int32 zip = 2;
  }
}`;

const SHIPMENTS = [
  {
    id: 1,
    delta: -5,
    status: 2,
    address: { city: 'Lyon', zip: 69001 },
    tags: ['fragile', 'express'],
    sizes: [3, 4],
    counts: { boxes: 2 },
    note: 'ring twice',
    card: 'visa',
    checksum: 7,
  },
  // proto3 defaults (0, empty) are not on the wire: they read as defaults, absent messages as null
  { id: 2, cash: 12.5 },
];

/**
 * Topics in the registry's JSON Schema and Protobuf wire formats as tables (DESIGN §4), executed by Riffle's
 * own Flink formats (deploy/flink-formats): JSON Schema records produced with the registry's serializer read
 * by SELECT as typed columns, an INSERT INTO a JSON Schema topic that the registry's deserializer reads back,
 * and Protobuf records read by SELECT and written by INSERT INTO, which the registry's decoder reads back;
 * against the real Kafka, registry, Flink, Postgres and Redis.
 */
describe('catalog formats: JSON Schema and Protobuf', () => {
  const s = new CatalogSession();
  const suffix = uniqueSuffix();
  // the JSON Schemas carry Kafka Connect's keywords (`connect.type`) and formats ajv does not know by default
  const registry = new SchemaRegistry(
    { host: s.registryUrl },
    { [SchemaType.JSON]: { strict: false, validateFormats: false } },
  );
  const source = `json_readings_${suffix}`;
  const sink = `json_copies_${suffix}`;

  /** a topic and its JSON Schema value subject, as a tenant's producer would set them up */
  async function jsonTopic(topic: string): Promise<number> {
    s.created.push(topic);
    const admin = s.topics.kafka.admin();
    await admin.connect();
    try {
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
    } finally {
      await admin.disconnect();
    }
    const { id } = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(READING_SCHEMA) },
      { subject: `${topic}-value` },
    );
    return id;
  }

  beforeAll(async () => {
    await s.start();
    const schemaId = await jsonTopic(source);
    const producer = s.topics.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: source,
        messages: await Promise.all(
          READINGS.map(async (reading) => ({ value: await registry.encode(schemaId, reading) })),
        ),
      });
    } finally {
      await producer.disconnect();
    }
  });
  afterAll(() => s.close());

  it('reads JSON Schema records as typed columns', async () => {
    await s.run(`describe-json-${suffix}`, `DESCRIBE ${source}`, ['COMPLETED']);
    expect((await s.rowsOf(`describe-json-${suffix}`)).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['id', 'INT', false],
      ['sensor', 'STRING', false],
      ['reading', 'DOUBLE', false],
      ['measured_at', 'TIMESTAMP_LTZ(3)', false],
      ['tags', 'ARRAY<STRING NOT NULL>', false],
      ['location', 'ROW<`lat` DOUBLE NOT NULL, `lon` DOUBLE NOT NULL>', false],
      ['note', 'STRING', true],
    ]);

    const name = `select-json-${suffix}`;
    await s.run(
      name,
      `SELECT ${COLUMNS} FROM ${source}`,
      ['COMPLETED'],
      { 'sql.tables.scan.bounded.mode': 'latest-offset' },
      150_000,
    );
    const rows = (await s.rowsOf(name)).sort((x, y) => Number(x[0]) - Number(y[0]));
    expect(rows).toEqual([
      [1, 'boiler', 81.5, '2024-05-01T10:00:00.123Z', ['hot', 'north'], { lat: 45.75, lon: 4.85 }, 'checked'],
      // Flink writes timestamps without trailing zeros in the fraction
      [2, 'pump', -3.25, '2024-05-01T10:00:01.5Z', [], { lat: 59.91, lon: 10.75 }, null],
    ]);
  });

  it('writes a JSON Schema topic that the registry deserializer reads back', async () => {
    const sinkSchemaId = await jsonTopic(sink);
    const name = `copy-json-${suffix}`;
    await s.run(name, `INSERT INTO ${sink} SELECT ${COLUMNS} FROM ${source}`, ['RUNNING'], {}, 150_000);
    try {
      const written = await readRegistry(sink, READINGS.length);
      expect(written.map((r) => r.schemaId)).toEqual(READINGS.map(() => sinkSchemaId));
      // the same instants; Flink's ISO-8601 text leaves out trailing zeros of the fraction
      const instant = (value: Record<string, unknown>): Record<string, unknown> => ({
        ...value,
        measured_at: new Date(String(value.measured_at)).toISOString(),
      });
      expect(written.map((r) => instant(r.value)).sort((x, y) => Number(x.id) - Number(y.id))).toEqual(
        READINGS.map(instant),
      );
      expect(written.find((r) => r.value.id === 1)?.value.measured_at).toBe('2024-05-01T10:00:00.123Z');
    } finally {
      await s.deleteStatement(name);
    }
  });

  /** a topic and its Protobuf value subject (the Shipment file) */
  async function protobufTopic(topic: string): Promise<number> {
    s.created.push(topic);
    const admin = s.topics.kafka.admin();
    await admin.connect();
    try {
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
    } finally {
      await admin.disconnect();
    }
    const { id } = await registry.register(
      { type: SchemaType.PROTOBUF, schema: SHIPMENT_PROTO },
      { subject: `${topic}-value` },
    );
    return id;
  }

  it('reads Protobuf records in the registry wire format as typed columns, and writes them back', async () => {
    const topic = `proto_shipments_${suffix}`;
    const id = await protobufTopic(topic);
    // kafkajs' encoder leaves out the message indexes Confluent's serializers write after the header
    // (one 0 byte: the file's first message), so the test adds them
    const framed = async (shipment: object) => {
      const encoded = await registry.encode(id, shipment);
      return Buffer.concat([encoded.subarray(0, 5), Buffer.from([0]), encoded.subarray(5)]);
    };
    const producer = s.topics.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: await Promise.all(SHIPMENTS.map(async (shipment) => ({ value: await framed(shipment) }))),
      });
    } finally {
      await producer.disconnect();
    }

    await s.run(`describe-proto-${suffix}`, `DESCRIBE ${topic}`, ['COMPLETED']);
    expect((await s.rowsOf(`describe-proto-${suffix}`)).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['id', 'BIGINT', false],
      ['delta', 'INT', false],
      ['status', 'STRING', false],
      ['address', 'ROW<`city` STRING NOT NULL, `zip` INT NOT NULL>', true],
      ['tags', 'ARRAY<STRING NOT NULL>', false],
      ['sizes', 'ARRAY<INT NOT NULL>', false],
      ['counts', 'MAP<STRING NOT NULL, BIGINT NOT NULL>', false],
      ['note', 'STRING', true],
      ['payment', 'ROW<`card` STRING, `cash` DOUBLE>', true],
      ['checksum', 'INT', false],
    ]);

    const name = `select-proto-${suffix}`;
    await s.run(
      name,
      `SELECT * FROM ${topic}`,
      ['COMPLETED'],
      { 'sql.tables.scan.bounded.mode': 'latest-offset' },
      150_000,
    );
    const rows = (await s.rowsOf(name)).sort((x, y) => Number(x[0]) - Number(y[0]));
    expect(rows).toEqual([
      [
        1,
        -5,
        'SHIPPED',
        { city: 'Lyon', zip: 69001 },
        ['fragile', 'express'],
        [3, 4],
        { boxes: 2 },
        'ring twice',
        { card: 'visa', cash: null },
        7,
      ],
      [2, 0, 'UNKNOWN', null, [], [], {}, null, { card: null, cash: 12.5 }, 0],
    ]);

    // INSERT INTO another Protobuf topic: Flink reads back what it wrote, and so does the registry's decoder
    const copies = `proto_copies_${suffix}`;
    const copiesId = await protobufTopic(copies);
    const write = `write-proto-${suffix}`;
    await s.run(write, `INSERT INTO ${copies} SELECT * FROM ${topic}`, ['RUNNING'], {}, 150_000);
    try {
      const written = await readRegistry(copies, SHIPMENTS.length, { messageIndexes: true });
      expect(written.map((r) => r.schemaId)).toEqual([copiesId, copiesId]);
      const first = written.find((r) => Number(r.value.id) === 1)!.value;
      expect({
        delta: first.delta,
        status: first.status,
        address: { ...(first.address as object) },
        tags: first.tags,
        sizes: first.sizes,
        counts: Object.fromEntries(Object.entries(first.counts as object).map(([k, v]) => [k, Number(v)])),
        note: first.note,
        card: first.card,
        checksum: first.checksum,
      }).toEqual({
        delta: -5,
        status: 2,
        address: { city: 'Lyon', zip: 69001 },
        tags: ['fragile', 'express'],
        sizes: [3, 4],
        counts: { boxes: 2 },
        note: 'ring twice',
        card: 'visa',
        checksum: 7,
      });
      expect(written.find((r) => Number(r.value.id) === 2)!.value.cash).toBe(12.5);
    } finally {
      await s.deleteStatement(write);
    }
    const readBack = `select-proto-copies-${suffix}`;
    await s.run(
      readBack,
      `SELECT * FROM ${copies}`,
      ['COMPLETED'],
      { 'sql.tables.scan.bounded.mode': 'latest-offset' },
      150_000,
    );
    expect((await s.rowsOf(readBack)).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(rows);
  });

  /** committed records of a topic: the schema id in each header and the value the registry decodes */
  async function readRegistry(
    topic: string,
    expected: number,
    { messageIndexes = false } = {},
  ): Promise<{ schemaId: number; value: Record<string, unknown> }[]> {
    const consumer = s.topics.kafka.consumer({
      groupId: `catalog-json-reader-${topic}-${Date.now()}`,
      readUncommitted: false,
    });
    const received: { schemaId: number; value: Record<string, unknown> }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          // Protobuf: kafkajs' decoder expects no message indexes after the header; the first message's is one 0
          const value = messageIndexes
            ? Buffer.concat([message.value.subarray(0, 5), message.value.subarray(6)])
            : message.value;
          if (messageIndexes) expect(message.value[5]).toBe(0);
          received.push({
            schemaId: message.value.readInt32BE(1),
            value: (await registry.decode(value)) as Record<string, unknown>,
          });
        },
      });
      await eventually(
        `${expected} records in ${topic}`,
        async () => (received.length >= expected ? true : undefined),
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      return [...received];
    } finally {
      await consumer.disconnect();
    }
  }
});
