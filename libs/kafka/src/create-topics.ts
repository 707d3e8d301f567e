import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';

const LEADERS_WAIT_MS = 30_000;
const LEADERS_POLL_MS = 100;

/** Kafka took the topics but gave them no leaders in time: "no answer" (its name says Timeout, as kafkajs' do) */
export class TopicLeadersTimeoutError extends Error {
  override name = 'TopicLeadersTimeoutError';
}

/**
 * kafkajs' `createTopics({ waitForLeaders: true })` retries only LEADER_NOT_AVAILABLE, but a KRaft broker
 * answers UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this topic-partition") for the moment
 * between creating a topic and loading it, which fails a creation that succeeded. This creates without
 * kafkajs' wait and then waits until every partition of every new topic has a leader, treating any
 * metadata error as "not yet". Answers what `createTopics` answers: false when every topic existed.
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  topics: ITopicConfig[],
  options: { timeout?: number; leadersWaitMs?: number } = {},
): Promise<boolean> {
  const created = await admin.createTopics({ waitForLeaders: false, timeout: options.timeout, topics });
  const names = topics.map((t) => t.topic);
  const waitMs = options.leadersWaitMs ?? LEADERS_WAIT_MS;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ready = await admin
      .fetchTopicMetadata({ topics: names })
      .then(({ topics: found }) =>
        names.every((name) => {
          const partitions = found.find((t) => t.name === name)?.partitions ?? [];
          return partitions.length > 0 && partitions.every((p) => p.leader >= 0);
        }),
      )
      .catch(() => false);
    if (ready) return created;
    if (Date.now() > deadline)
      throw new TopicLeadersTimeoutError(
        `Kafka created ${names.join(', ')} but gave no leaders within ${waitMs / 1000} s`,
      );
    await sleep(LEADERS_POLL_MS);
  }
}
