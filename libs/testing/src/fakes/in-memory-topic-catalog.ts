import {
  type KafkaClusterRecord,
  type NewTopic,
  TopicCatalog,
  type TopicDescription,
} from '@riffle/application';
import { type RegistrySchema, RiffleError } from '@riffle/domain';

/**
 * Topics and subjects in memory, for unit tests of what reads and changes the catalog: `calls` records
 * the changes, `fail` makes the next call throw, `strict` subjects refuse any new schema.
 */
export class InMemoryTopicCatalog extends TopicCatalog {
  readonly topics = new Map<string, { partitions: number; config: Record<string, string> }>();
  readonly subjects = new Map<string, RegistrySchema[]>();
  readonly calls: string[] = [];
  fail: RiffleError | undefined;
  /** subjects whose compatibility refuses any new schema */
  readonly strict = new Set<string>();

  async listTopics() {
    this.maybeFail();
    return [...this.topics.keys()];
  }
  async topicExists(_: KafkaClusterRecord, topic: string) {
    this.maybeFail();
    return this.topics.has(topic);
  }
  async describeTopic(_: KafkaClusterRecord, topic: string): Promise<TopicDescription | undefined> {
    this.maybeFail();
    const found = this.topics.get(topic);
    if (!found) return undefined;
    const keySchema = this.subjects.get(`${topic}-key`)?.at(-1);
    const valueSchema = this.subjects.get(`${topic}-value`)?.at(-1);
    const version = (subject: string) => ({
      subject,
      version: this.subjects.get(subject)!.length,
      id: 40 + this.subjects.get(subject)!.length,
    });
    return {
      partitions: found.partitions,
      compacted: (found.config['cleanup.policy'] ?? '').includes('compact'),
      config: { ...found.config },
      ...(keySchema ? { keySchema, keySubject: version(`${topic}-key`) } : {}),
      ...(valueSchema ? { valueSchema, valueSubject: version(`${topic}-value`) } : {}),
    };
  }
  async createTopic(_: KafkaClusterRecord, topic: NewTopic) {
    this.maybeFail();
    this.calls.push(`createTopic ${topic.topic} ${topic.partitions}`);
    if (this.topics.has(topic.topic)) return false;
    this.topics.set(topic.topic, { partitions: topic.partitions, config: topic.config });
    return true;
  }
  async registerSchema(_: KafkaClusterRecord, subject: string, schema: RegistrySchema) {
    this.maybeFail();
    this.calls.push(`registerSchema ${subject}`);
    if (this.strict.has(subject))
      throw new RiffleError('SCHEMA_INCOMPATIBLE', 'conflict', `incompatible ${subject}`);
    this.subjects.set(subject, [...(this.subjects.get(subject) ?? []), schema]);
    return this.subjects.size;
  }
  async deleteSubject(_: KafkaClusterRecord, subject: string) {
    this.calls.push(`deleteSubject ${subject}`);
    return this.subjects.delete(subject);
  }
  async alterTopicConfig(_: KafkaClusterRecord, topic: string, changes: Record<string, string | null>) {
    this.maybeFail();
    this.calls.push(`alterTopicConfig ${topic} ${JSON.stringify(changes)}`);
    const found = this.topics.get(topic);
    if (!found) return false;
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete found.config[key];
      else found.config[key] = value;
    }
    return true;
  }
  async deleteTopic(_: KafkaClusterRecord, topic: string) {
    this.calls.push(`deleteTopic ${topic}`);
    return this.topics.delete(topic);
  }
  async check() {}

  private maybeFail() {
    const error = this.fail;
    this.fail = undefined;
    if (error) throw error;
  }
}
