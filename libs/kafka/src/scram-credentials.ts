import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/**
 * Kafka's AlterUserScramCredentials (API key 51, KIP-554), which kafkajs does not offer: a SCRAM-SHA-512
 * credential is created or replaced for a user. Sent through kafkajs' own connection (so it carries
 * whatever SASL/TLS Riffle's client is configured with) as a flexible-version request: the request
 * header's tagged fields go first in the body, and the response header's come first in the answer.
 */
const API_KEY = 51;
const SCRAM_SHA_512 = 2;
const ITERATIONS = 4096;

/** unsigned varint, as Kafka's compact arrays, strings and bytes use (length + 1) */
function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

const compactBytes = (value: Buffer) => Buffer.concat([uvarint(value.length + 1), value]);
const compactString = (value: string) => compactBytes(Buffer.from(value, 'utf8'));
const NO_TAGS = Buffer.from([0]);

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

/** AlterUserScramCredentialsRequest v0 body, preceded by the v2 request header's empty tagged fields */
export function encodeUpsertScram(user: string, password: string, salt = randomBytes(32)): Buffer {
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 64, 'sha512');
  return Buffer.concat([
    NO_TAGS, // request header v2 tagged fields
    uvarint(1), // deletions: none
    uvarint(2), // upsertions: one
    compactString(user),
    Buffer.from([SCRAM_SHA_512]),
    int32(ITERATIONS),
    compactBytes(salt),
    compactBytes(salted),
    NO_TAGS,
    NO_TAGS,
  ]);
}

class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buffer[this.offset++]!;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
  }
  int16(): number {
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  compactNullableString(): string | null {
    const length = this.uvarint();
    if (length === 0) return null;
    const value = this.buffer.toString('utf8', this.offset, this.offset + length - 1);
    this.offset += length - 1;
    return value;
  }
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.offset += this.uvarint();
    }
  }
}

export interface ScramResult {
  user: string | null;
  errorCode: number;
  errorMessage: string | null;
}

/** AlterUserScramCredentialsResponse v0, after the correlation id kafkajs has read */
export function decodeUpsertScram(payload: Buffer): ScramResult[] {
  const r = new Reader(payload);
  r.skipTags(); // response header v1 tagged fields
  r.int32(); // throttle time
  const count = r.uvarint() - 1;
  const results: ScramResult[] = [];
  for (let i = 0; i < count; i++) {
    const user = r.compactNullableString();
    const errorCode = r.int16();
    const errorMessage = r.compactNullableString();
    r.skipTags();
    results.push({ user, errorCode, errorMessage });
  }
  return results;
}

type Broker = { [key: symbol]: (request: unknown) => Promise<unknown> };
type Cluster = {
  connect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  disconnect(): Promise<void>;
  findControllerBroker(): Promise<Broker>;
};

/** kafkajs keeps its cluster and a broker's request sender behind symbols; found by their descriptions */
function hidden<T>(target: object, description: string): T {
  const symbol = Object.getOwnPropertySymbols(target).find((s) => s.description === description);
  if (!symbol) throw new Error(`kafkajs internals changed: ${description} not found`);
  return (target as Record<symbol, T>)[symbol]!;
}

/** creates or replaces the user's SCRAM-SHA-512 credential on the cluster */
export async function upsertScramCredential(kafka: Kafka, user: string, password: string): Promise<void> {
  const createCluster = hidden<(options: object) => Cluster>(kafka, 'private:Kafka:createCluster');
  const cluster = createCluster.call(kafka, { allowAutoTopicCreation: false });
  await cluster.connect();
  try {
    await cluster.refreshMetadata();
    const broker = await cluster.findControllerBroker();
    const send = hidden<(request: unknown) => Promise<ScramResult[]>>(
      Object.getPrototypeOf(broker) as object,
      'private:Broker:sendRequest',
    );
    const results = await send.call(broker, {
      request: {
        apiKey: API_KEY,
        apiVersion: 0,
        apiName: 'AlterUserScramCredentials',
        encode: async () => {
          const buf = encodeUpsertScram(user, password);
          return { buf, buffer: buf }; // what kafkajs' Encoder.writeEncoder reads
        },
      },
      response: {
        decode: async (payload: Buffer) => decodeUpsertScram(payload),
        parse: async (results: ScramResult[]) => results,
      },
    });
    const failed = results.find((r) => r.errorCode !== 0);
    if (failed) {
      throw new Error(
        `Kafka refused the SCRAM credential of ${user}: error ${failed.errorCode} ${failed.errorMessage ?? ''}`.trim(),
      );
    }
  } finally {
    await cluster.disconnect();
  }
}
