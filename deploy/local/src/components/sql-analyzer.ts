import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessSpec, Readiness, StackComponent, StackPaths } from '../component';
import { FLINK_VERSION, flinkLib, JAVA_17_OPTS } from './flink';
import { buildFlinkFormats } from './flink-formats';
import { buildJavaJar, contentHash, extractJarEntry } from './java-jar';

/**
 * Riffle's SQL analyzer (deploy/sql-analyzer): Flink's own parser and planner behind a loopback HTTP API,
 * which the API asks about every statement before storing it. A plain `java` process on Flink's lib folder
 * (the same jars as the clusters, deploy/local/maven/flink/pom.xml) with two changes:
 * - the planner itself instead of flink-table-planner-loader: FlinkSqlParserImpl and the planner classes
 *   the analyzer calls live in `flink-table-planner.jar`, which the loader carries inside itself and loads
 *   in an isolated class loader. It is unpacked once with the JDK's `jar` (no download) into
 *   `<cache>/sql-analyzer/`; the loader stays off the classpath (both would register the planner);
 * - Riffle's formats jar, so tables in `json-registry`/`protobuf-registry` plan as they do on the clusters.
 * The analyzer's sources are compiled with javac against that classpath into
 * `<cache>/sql-analyzer/riffle-sql-analyzer-<hash of the sources>.jar`, once per content (java-jar.ts).
 */
export const SQL_ANALYZER_PORT = 18990;
const HOST = '127.0.0.1';
const SOURCES = 'deploy/sql-analyzer/src/main/java';
const LOADER = `flink-table-planner-loader-${FLINK_VERSION}.jar`;
const LOG4J2 = `rootLogger.level = WARN
rootLogger.appenderRef.console.ref = ConsoleAppender
appender.console.name = ConsoleAppender
appender.console.type = Console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
`;

export interface SqlAnalyzerOptions {
  port?: number;
  /** statements analysed at once (worker threads) */
  threads?: number;
  /** -Xmx */
  heap?: string;
}

export function sqlAnalyzerUrl(port: number = SQL_ANALYZER_PORT): string {
  return `http://${HOST}:${port}`;
}

const cacheDir = (paths: StackPaths) => join(paths.cache, 'sql-analyzer');
const plannerJar = (paths: StackPaths) => join(cacheDir(paths), `flink-table-planner-${FLINK_VERSION}.jar`);
const analyzerJar = (paths: StackPaths) =>
  join(cacheDir(paths), `riffle-sql-analyzer-${contentHash(join(paths.root, SOURCES), FLINK_VERSION)}.jar`);

/** Flink's lib without the planner loader, the fat connector/format jars last (as flink.ts orders them) */
function flinkJars(lib: string): string[] {
  const jars = readdirSync(lib)
    .filter((f) => f.endsWith('.jar') && f !== LOADER)
    .sort();
  const fat = (f: string) => f.startsWith('flink-sql-') && !f.startsWith('flink-sql-gateway');
  return [...jars.filter((f) => !fat(f)), ...jars.filter(fat)].map((f) => join(lib, f));
}

export function sqlAnalyzer(options: SqlAnalyzerOptions = {}): StackComponent {
  const name = 'sql-analyzer';
  const port = options.port ?? SQL_ANALYZER_PORT;
  const threads = options.threads ?? 2;
  const heap = options.heap ?? '512m';
  let classpath: string[] = [];
  return {
    name,
    ports: [port],
    startTimeoutMs: 120_000,
    async prepare(paths, progress) {
      progress(`Flink ${FLINK_VERSION} parser and planner`);
      const lib = await flinkLib(paths);
      await mkdir(cacheDir(paths), { recursive: true });
      const planner = await extractJarEntry(join(lib, LOADER), 'flink-table-planner.jar', plannerJar(paths));
      const formats = await buildFlinkFormats(paths, lib);
      classpath = [...flinkJars(lib), planner, formats];
      progress('compiling deploy/sql-analyzer');
      await buildJavaJar({
        what: 'the SQL analyzer (deploy/sql-analyzer)',
        sources: join(paths.root, SOURCES),
        classpath,
        release: '17',
        jar: analyzerJar(paths),
      });
      await mkdir(paths.data(name), { recursive: true });
      await writeFile(join(paths.data(name), 'log4j2.properties'), LOG4J2);
    },
    process(paths): ProcessSpec {
      if (classpath.length === 0) throw new Error(`${name}: prepare() first`);
      const properties: Record<string, string | number> = {
        'riffle.analyzer.host': HOST,
        'riffle.analyzer.port': port,
        'riffle.analyzer.threads': threads,
      };
      return {
        command: 'java',
        args: [
          // short-lived parse trees: the serial collector's short pauses beat G1's concurrent threads on a
          // few shared cores (10 KB parse p50 about 25% lower here), with the whole heap from the start so
          // that a 1 MiB token's buffers fit the young generation
          '-XX:+UseSerialGC',
          `-Xms${heap}`,
          `-Xmx${heap}`,
          '-XX:+ExitOnOutOfMemoryError',
          // without it the JDK's HTTP server waits for delayed ACKs: +40 ms on every small answer
          '-Dsun.net.httpserver.nodelay=true',
          `-Dlog4j.configurationFile=file:${join(paths.data(name), 'log4j2.properties')}`,
          `-Djava.io.tmpdir=${paths.data(name)}`,
          ...JAVA_17_OPTS,
          ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
          '-classpath',
          [analyzerJar(paths), ...classpath].join(':'),
          'io.riffle.sqlanalyzer.SqlAnalyzerServer',
        ],
        cwd: paths.data(name),
      };
    },
    async ready(): Promise<Readiness> {
      const url = `${sqlAnalyzerUrl(port)}/health`;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.ok
          ? { ok: true }
          : { ok: false, waitingFor: `${url} (HTTP ${response.status}: warming up)` };
      } catch (error) {
        const e = error as { cause?: { code?: string }; message: string };
        return { ok: false, waitingFor: `${url} (${e.cause?.code ?? e.message})` };
      }
    },
  };
}
