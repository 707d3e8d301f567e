import type { SqlAnalysis } from '@riffle/domain';
import { HttpSqlAnalyzer, SqlGatewayClient } from '@riffle/flink';
import { eventually } from '@riffle/testing';
import { type CorpusEntry, loadCorpus } from '../fixtures/flink-sql-corpus/corpus';
import { CatalogSession } from './support/catalog-session';

const LIMITS = { maxTokens: 20_000, maxNesting: 12, maxDepth: 1_500 };
/** kinds Riffle plans as dry runs and the gateway EXPLAINs: they would start jobs otherwise */
const PLANNED = new Set([
  'SELECT',
  'INSERT',
  'STATEMENT SET',
  'CREATE TABLE AS',
  'CREATE OR REPLACE TABLE AS',
]);
const BOUNDED = { 'sql.tables.scan.bounded.mode': 'latest-offset' };

interface Verdict {
  accepts: boolean;
  /** Riffle's refusal code or FAILED; Flink's first line */
  why: string;
  detail?: string;
}

/**
 * The conformance corpus (test/fixtures/flink-sql-corpus): every statement, in order, through Riffle's API
 * and directly on Flink's SQL Gateway; they must agree on accepting it, except the documented refusals,
 * which Riffle must refuse with their code (and Flink accept as the corpus says).
 */
describe('Flink SQL conformance corpus', () => {
  const s = new CatalogSession();
  const corpus = loadCorpus();
  const analyzer = new HttpSqlAnalyzer(s.env.SQL_ANALYZER_URL!, 30_000);
  const gateway = new SqlGatewayClient(s.env.FLINK_SQL_GATEWAY_URL!, 30_000);
  const bootstrap = s.env.KAFKA_BOOTSTRAP_SERVERS!;
  const analyses = new Map<string, SqlAnalysis | undefined>();
  let session: string;

  beforeAll(async () => {
    for (const entry of corpus)
      analyses.set(entry.name, (await analyzer.analyze(entry.sql, LIMITS)).analysis);
    const topics = [
      ...new Set(
        corpus.flatMap((e) => {
          const table = analyses.get(e.name)?.table;
          return analyses.get(e.name)?.kind.startsWith('CREATE') && table ? [table.path.at(-1)!] : [];
        }),
      ),
    ];
    s.created.push(...topics);
    await s.start();
    await removeTopics(topics); // left by an interrupted run
    session = await gateway.openSession({}, 'riffle-corpus');
  }, 300_000);

  afterAll(async () => {
    if (session) await gateway.closeSession(session).catch(() => undefined);
    await s.close();
  });

  it('agrees with Flink on every statement, except the documented refusals', async () => {
    const wrong: string[] = [];
    const lines: string[] = [];
    for (const [i, entry] of corpus.entries()) {
      const analysis = analyses.get(entry.name);
      const riffle = await throughRiffle(`corpus-${i}`, entry, analysis);
      const flink = await onFlink(entry, analysis);
      lines.push(
        `${entry.name.padEnd(52)} flink ${flink.accepts ? 'accepts' : 'rejects'}  riffle ${riffle.accepts ? 'accepts' : riffle.why}`,
      );
      if (flink.accepts !== (entry.flink === 'accepts'))
        wrong.push(
          `${entry.name}: Flink ${flink.accepts ? 'accepts' : 'rejects'} (${flink.why}), the corpus says it ${entry.flink}`,
        );
      if (entry.riffle) {
        if (riffle.accepts || riffle.why !== entry.riffle)
          wrong.push(
            `${entry.name}: Riffle ${riffle.accepts ? 'accepts' : `${riffle.why} (${riffle.detail})`}, a documented ${entry.riffle}`,
          );
      } else if (riffle.accepts !== flink.accepts) {
        wrong.push(
          `${entry.name}: Flink ${flink.accepts ? 'accepts' : `rejects (${flink.why})`}, Riffle ${riffle.accepts ? 'accepts' : `rejects (${riffle.why}: ${riffle.detail})`}`,
        );
      }
    }
    const refusals = corpus.filter((e) => e.riffle).length;
    process.stdout.write(
      `${lines.join('\n')}\nFlink SQL corpus: ${corpus.length} statements, ${corpus.length - refusals} agreed on, ${refusals} documented refusals, ${wrong.length} wrong\n`,
    );
    expect(wrong).toEqual([]);
  }, 1_800_000);

  /** submits the entry (queries as dry runs unless it is to run) and waits for its outcome */
  async function throughRiffle(name: string, entry: CorpusEntry, analysis?: SqlAnalysis): Promise<Verdict> {
    const planned = analysis !== undefined && PLANNED.has(analysis.kind);
    const properties: Record<string, string> =
      entry.run === 'bounded' && analysis?.kind === 'SELECT'
        ? BOUNDED
        : planned && !entry.run
          ? { 'sql.dry-run': 'true' }
          : {};
    const created = await s
      .as()
      .post(s.tenant.statementsPath)
      .send({ name, spec: { statement: entry.sql, properties } });
    if (created.status !== 201)
      return {
        accepts: false,
        why: String(created.body.code),
        detail: String(created.body.detail).slice(0, 300),
      };
    const done = entry.run === 'running' ? ['RUNNING', 'FAILED', 'COMPLETED'] : ['COMPLETED', 'FAILED'];
    const body = await eventually(
      `${entry.name} to finish`,
      async () => {
        const current = (await s.as().get(s.statementPath(name))).body;
        return done.includes(current.status?.phase) ? current : undefined;
      },
      { timeoutMs: entry.run ? 240_000 : 90_000, intervalMs: 250 },
    );
    if (body.status.phase === 'FAILED')
      return { accepts: false, why: 'FAILED', detail: String(body.status.detail).slice(0, 300) };
    if (entry.rows !== undefined) expect((await s.rowsOf(name)).length).toBe(entry.rows);
    if (entry.run === 'running') await s.deleteStatement(name);
    return { accepts: true, why: body.status.phase };
  }

  /** the gateway's verdict: planned kinds EXPLAINed, the rest executed (refusals in a session of their own) */
  async function onFlink(entry: CorpusEntry, analysis?: SqlAnalysis): Promise<Verdict> {
    const planned = analysis !== undefined && PLANNED.has(analysis.kind);
    const statement = planned
      ? `EXPLAIN ${withConnector(entry.sql, analysis).replace(/^EXECUTE\s+/i, '')}`
      : withConnector(entry.sql, analysis);
    const own = entry.riffle !== undefined && !planned;
    const handle = own ? await gateway.openSession({}, 'riffle-corpus-refusal') : session;
    try {
      await gateway.executeAndWait(handle, statement, 120_000);
      return { accepts: true, why: '' };
    } catch (e) {
      const message = (e as Error).message;
      // the gateway's REST error: the cause is the last "Caused by" line
      const cause = [...message.matchAll(/Caused by: ([^\n]*)/g)].at(-1)?.[1] ?? message.split('\n')[0]!;
      return { accepts: false, why: cause.slice(0, 300) };
    } finally {
      if (own) await gateway.closeSession(handle).catch(() => undefined);
    }
  }

  /**
   * A table the corpus creates without a connector, declared on the gateway as Riffle declares a topic:
   * `kafka`, or `upsert-kafka` with a primary key (JSON: EXPLAIN reads no records).
   */
  function withConnector(sql: string, analysis?: SqlAnalysis): string {
    const table = analysis?.table;
    if (!analysis?.kind.startsWith('CREATE') || !table || analysis.kind.includes('VIEW')) return sql;
    const options = table.options ?? {};
    if (options.connector) return sql;
    const excludesOptions = table.like?.options.some(
      (o) => o.strategy === 'EXCLUDING' && (o.feature === 'ALL' || o.feature === 'OPTIONS'),
    );
    if (table.like && !excludesOptions) return sql;
    const upsert =
      (table.constraints ?? []).some((c) => c.primaryKey) || table.columns?.some((c) => c.primaryKey);
    const connector = [
      `'connector' = '${upsert ? 'upsert-kafka' : 'kafka'}'`,
      `'topic' = '${table.path.at(-1)}'`,
      `'properties.bootstrap.servers' = '${bootstrap}'`,
      ...(upsert
        ? ["'key.format' = 'json'", "'value.format' = 'json'"]
        : [
            "'format' = 'json'",
            ...(options['scan.startup.mode'] ? [] : ["'scan.startup.mode' = 'earliest-offset'"]),
          ]),
    ].join(', ');
    if (Object.keys(options).length > 0) {
      const at = lastMatch(sql, /\bWITH\s*\(/gi);
      return `${sql.slice(0, at.end)}${connector}, ${sql.slice(at.end)}`;
    }
    if (analysis.query) {
      const at = lastMatch(sql.slice(0, analysis.query.start), /\bAS\s*$/gi);
      return `${sql.slice(0, at.start)}WITH (${connector}) ${sql.slice(at.start)}`;
    }
    if (table.like) {
      const at = lastMatch(sql, /\bLIKE\b/gi);
      return `${sql.slice(0, at.start)}WITH (${connector}) ${sql.slice(at.start)}`;
    }
    return `${sql} WITH (${connector})`;
  }

  function lastMatch(text: string, pattern: RegExp): { start: number; end: number } {
    const all = [...text.matchAll(pattern)];
    const last = all.at(-1);
    if (!last) throw new Error(`no ${pattern} in ${text}`);
    return { start: last.index, end: last.index + last[0].length };
  }

  async function removeTopics(topics: string[]): Promise<void> {
    const admin = s.topics.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const stale = topics.filter((t) => existing.has(t));
      if (stale.length === 0) return;
      await admin.deleteTopics({ topics: stale });
      await eventually('stale corpus topics to be gone', async () => {
        const now = new Set(await admin.listTopics());
        return stale.every((t) => !now.has(t)) ? true : undefined;
      });
      for (const topic of stale)
        for (const side of ['key', 'value']) {
          const path = `${s.registryUrl}/subjects/${topic}-${side}`;
          await fetch(path, { method: 'DELETE' }).catch(() => undefined);
          await fetch(`${path}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
        }
    } finally {
      await admin.disconnect();
    }
  }
});
