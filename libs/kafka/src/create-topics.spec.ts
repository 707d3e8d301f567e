import type { Admin } from 'kafkajs';
import { createTopicsWithLeaders, TopicLeadersTimeoutError } from './create-topics';

/** an admin whose metadata answers come from `answers` in turn, the last one repeated */
function adminAnswering(answers: (() => Promise<unknown>)[]): { admin: Admin; created: unknown[] } {
  const created: unknown[] = [];
  let call = 0;
  const admin = {
    createTopics: async (request: unknown) => (created.push(request), true),
    fetchTopicMetadata: () => answers[Math.min(call++, answers.length - 1)]!(),
  } as unknown as Admin;
  return { admin, created };
}

const unknownTopic = () => Promise.reject(new Error('This server does not host this topic-partition'));
const led = (leader: number) => () =>
  Promise.resolve({ topics: [{ name: 't', partitions: [{ partitionId: 0, leader }] }] });

describe('createTopicsWithLeaders', () => {
  it('creates without kafkajs’ wait and rides out UNKNOWN_TOPIC_OR_PARTITION until a leader is elected', async () => {
    const { admin, created } = adminAnswering([unknownTopic, led(-1), led(1)]);
    await expect(createTopicsWithLeaders(admin, [{ topic: 't', numPartitions: 1 }])).resolves.toBe(true);
    expect(created).toEqual([expect.objectContaining({ waitForLeaders: false })]);
  });

  it('gives up with a timeout (which the catalog reports as KAFKA_UNAVAILABLE) when no leader comes', async () => {
    const { admin } = adminAnswering([unknownTopic]);
    await expect(
      createTopicsWithLeaders(admin, [{ topic: 't', numPartitions: 1 }], { leadersWaitMs: 300 }),
    ).rejects.toBeInstanceOf(TopicLeadersTimeoutError);
  });
});
