import { createTopicsWithLeaders } from '@riffle/kafka';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  everyTaskRunningOrFinished,
  FlinkStatementRunner,
  JobManagerClient,
  SqlGatewayClient,
  flinkRequest,
} from '@riffle/flink';
import { eventually, stackEnv, uniqueSuffix } from '@riffle/testing';
import { type Admin, Kafka, logLevel } from 'kafkajs';

interface CheckpointStats {
  latest: { restored: { id: number; is_savepoint: boolean; external_path: string } | null };
}

/**
 * The Flink side of running a statement, on the real session cluster: background INSERTs that stop
 * with a savepoint and resume from it, SQL that Flink rejects, a job that fails at runtime, and a
 * foreground SELECT paged to its end.
 */
describe('FlinkStatementRunner on a Flink session cluster', () => {
  const env = stackEnv();
  const brokers = env.KAFKA_BOOTSTRAP_SERVERS!.split(',');
  const kafka = new Kafka({ clientId: 'riffle-e2e', brokers, logLevel: logLevel.NOTHING });
  const gateway = new SqlGatewayClient(env.FLINK_SQL_GATEWAY_URL!, 60_000);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const runner = new FlinkStatementRunner(gateway, jobManager);
  const started: string[] = [];
  const topics: string[] = [];
  let admin: Admin;

  const datagen = (table: string, options: string) =>
    `CREATE TEMPORARY TABLE ${table} (id BIGINT, v STRING)
     WITH ('connector' = 'datagen', 'fields.v.length' = '8', ${options})`;

  /** RUNNING with every subtask running: only then can it take a savepoint */
  const running = (jobId: string) =>
    eventually(
      `job ${jobId} to run`,
      async () => {
        const job = await jobManager.job(jobId);
        if (['FAILED', 'CANCELED', 'FINISHED'].includes(job.state)) throw new Error(`job ended ${job.state}`);
        return everyTaskRunningOrFinished(job) ? job : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );

  const reaches = (jobId: string, state: string) =>
    eventually(`job ${jobId} to be ${state}`, async () =>
      (await jobManager.job(jobId)).state === state ? state : undefined,
    );

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const jobId of started) await runner.cancel(jobId).catch(() => undefined);
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('stops a background INSERT with a savepoint and resumes it from exactly that savepoint', async () => {
    const suffix = uniqueSuffix();
    const topic = `runner-out-${suffix}`;
    const jobName = `runner-bg-${suffix}`;
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
    topics.push(topic);
    const submission = {
      jobName,
      parallelism: 2,
      setupStatements: [
        datagen('numbers', `'rows-per-second' = '50'`),
        `CREATE TEMPORARY TABLE out_numbers (id BIGINT, v STRING) WITH ('connector' = 'kafka',
           'topic' = '${topic}', 'properties.bootstrap.servers' = '${brokers.join(',')}', 'format' = 'json')`,
      ],
      statement: 'INSERT INTO out_numbers SELECT id, v FROM numbers',
    };

    const { jobId } = await runner.submitBackground(submission);
    started.push(jobId);
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    await running(jobId);
    const found = await jobManager.findJobsByName(jobName);
    expect(found.map((j) => [j.jid, j.state])).toEqual([[jobId, 'RUNNING']]);
    expect(await jobManager.jobPlanParallelism(jobId)).toBe(2);

    const location = await runner.stop(jobId);
    expect(location).toMatch(/^file:/);
    expect(existsSync(join(fileURLToPath(location), '_metadata'))).toBe(true);
    await reaches(jobId, 'FINISHED');
    const [offsets] = await admin.fetchTopicOffsets(topic);
    expect(Number(offsets!.high)).toBeGreaterThan(0);

    const { jobId: resumedId } = await runner.submitBackground({ ...submission, savepointPath: location });
    started.push(resumedId);
    await running(resumedId);
    const byName = await jobManager.findJobsByName(jobName);
    expect(byName.map((j) => [j.jid, j.state])).toEqual([
      [resumedId, 'RUNNING'],
      [jobId, 'FINISHED'],
    ]);
    const restored = await eventually('the resumed job to report its restore', async () => {
      const stats = await flinkRequest<CheckpointStats>(
        env.FLINK_REST_URL!,
        'GET',
        `/jobs/${resumedId}/checkpoints`,
        10_000,
      );
      return stats.latest.restored ?? undefined;
    });
    expect(restored).toMatchObject({ is_savepoint: true, external_path: location });

    await runner.cancel(resumedId);
    await reaches(resumedId, 'CANCELED');
    await runner.cancel(resumedId); // cancelling a job that already ended is a no-op
  });

  it('reports SQL that Flink refuses as SQL_REJECTED_BY_FLINK, naming the column', async () => {
    const jobName = `runner-bad-${uniqueSuffix()}`;
    await expect(
      runner.submitBackground({
        jobName,
        setupStatements: [
          datagen('numbers', `'number-of-rows' = '5'`),
          `CREATE TEMPORARY TABLE sink (id BIGINT) WITH ('connector' = 'blackhole')`,
        ],
        statement: 'INSERT INTO sink SELECT no_such_column FROM numbers',
      }),
    ).rejects.toMatchObject({
      code: 'SQL_REJECTED_BY_FLINK',
      kind: 'invalid',
      message: expect.stringContaining("Column 'no_such_column' not found"),
      details: { line: 1, column: 25 },
    });
    expect(await jobManager.findJobsByName(jobName)).toEqual([]);
  });

  it('reads why a job failed at runtime as one line per exception', async () => {
    const { jobId } = await runner.submitBackground({
      jobName: `runner-fail-${uniqueSuffix()}`,
      properties: { 'restart-strategy.type': 'none' },
      setupStatements: [
        datagen('numbers', `'rows-per-second' = '5'`),
        `CREATE TEMPORARY TABLE sink (n INT) WITH ('connector' = 'blackhole')`,
      ],
      // every row fails its cast: 'x…' is never a number
      statement: `INSERT INTO sink SELECT CAST(CONCAT('x', v) AS INT) FROM numbers`,
    });
    started.push(jobId);
    await reaches(jobId, 'FAILED');

    const exceptions = await jobManager.exceptions(jobId);
    expect(exceptions.length).toBeGreaterThanOrEqual(1);
    const [latest] = exceptions;
    expect(latest).toMatchObject({
      exceptionName: 'java.lang.NumberFormatException',
      message: expect.stringMatching(/^NumberFormatException: For input string: 'x/),
      timestamp: expect.any(Number),
    });
    expect(latest!.message).not.toMatch(/\n|\tat /);
  });

  it('pages a bounded foreground SELECT to its end', async () => {
    const ref = await runner.startForeground({
      jobName: `runner-select-${uniqueSuffix()}`,
      setupStatements: [datagen('numbers', `'number-of-rows' = '25'`)],
      statement: 'SELECT id, v FROM numbers',
    });
    try {
      expect(ref.jobId).toMatch(/^[0-9a-f]{32}$/);
      expect(ref.columns.map((c) => c.name)).toEqual(['id', 'v']);

      const rows: { op: number; row: unknown[] }[] = [];
      const deadline = Date.now() + 60_000;
      for (let token: number | null = 0; token !== null;) {
        if (Date.now() > deadline) throw new Error(`no end of results after ${rows.length} rows`);
        const page = await runner.fetchPage(ref, token);
        rows.push(...page.rows);
        if (page.notReady || page.rows.length === 0) await sleep(200);
        token = page.nextToken;
      }
      expect(rows).toHaveLength(25);
      expect(rows.every((r) => r.op === 0 && r.row.length === 2)).toBe(true);
    } finally {
      await runner.closeForeground(ref);
    }
    await runner.closeForeground(ref); // closing twice is fine
  });

  it('cancels the job of a foreground SELECT closed right after it started, sparing the TaskManager', async () => {
    const overview = () => jobManager.overview();
    const before = await overview();
    const ref = await runner.startForeground({
      jobName: `runner-unbounded-${uniqueSuffix()}`,
      setupStatements: [datagen('numbers', `'rows-per-second' = '5'`)],
      statement: 'SELECT id FROM numbers',
    });
    const jobId = ref.jobId!;
    started.push(jobId);
    // its tasks are still deploying now: cancelling the collect sink before it opens kills the
    // TaskManager in Flink 2.2 (FLINK-39330), so closeForeground waits for the tasks to start
    await runner.closeForeground(ref);
    await reaches(jobId, 'CANCELED');
    await sleep(2_000);
    expect((await overview()).taskmanagers).toBe(before.taskmanagers);
  });
});
