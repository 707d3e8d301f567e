import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessSpec, Readiness, StackComponent, StackPaths } from '../component';
import { copyDependencies } from '../maven';
import { buildFlinkFormats, flinkFormatsJar } from './flink-formats';

/**
 * A local Apache Flink session cluster: one JobManager, N TaskManagers and a SQL Gateway, each a
 * plain `java` process on a classpath copied from deploy/local/maven/flink/pom.xml (flink-dist is
 * not on the registry) plus Riffle's own formats jar (flink-formats.ts). Everything binds to 127.0.0.1.
 * Cluster N uses the default ports + 100 * N.
 */
export const FLINK_VERSION = '2.2.0';
/** REST API version of the SQL Gateway: sessions, statements and results live under `${gatewayUrl}/v4` */
export const FLINK_SQL_GATEWAY_API = 'v4';
/** Ports of cluster 0. 8081 (Flink's usual REST port) is the schema registry's, hence 18081. */
export const FLINK_DEFAULT_PORTS = {
  rest: 18081,
  sqlGateway: 18083,
  jobManagerRpc: 18023,
  blobServer: 18024,
  jobManagerMetricsQuery: 18025,
  /** TaskManager n (from 0) reserves ports taskManagers + 3n .. + 3n + 2 for rpc (unused: its RPC port is ephemeral), data and metrics-query */
  taskManagers: 18030,
} as const;
export const FLINK_PORTS_PER_CLUSTER = 100;
const MAX_TASK_MANAGERS = Math.floor((FLINK_PORTS_PER_CLUSTER - 30) / 3);
const HOST = '127.0.0.1';

export interface FlinkClusterOptions {
  /** 0, 1, 2, ...: names the components and picks the port block */
  clusterId: number;
  /** added to FLINK_DEFAULT_PORTS; default FLINK_PORTS_PER_CLUSTER * clusterId */
  portOffset?: number;
  taskManagers?: number;
  slotsPerTaskManager?: number;
}

export interface FlinkClusterUrls {
  /** JobManager REST API and web UI */
  restUrl: string;
  /** SQL Gateway REST endpoint (append `/${FLINK_SQL_GATEWAY_API}/sessions`, ...) */
  gatewayUrl: string;
}

export function flinkClusterUrls(clusterId: number, portOffset?: number): FlinkClusterUrls {
  const ports = clusterPorts(clusterId, portOffset);
  return { restUrl: `http://${HOST}:${ports.rest}`, gatewayUrl: `http://${HOST}:${ports.sqlGateway}` };
}

/** CPU priority of every Flink process of the local stack (see ProcessSpec.niceness) */
const FLINK_NICENESS = 10;

/** Where the cluster keeps checkpoints and savepoints (shared by all of its processes). */
export function flinkClusterStorage(
  paths: StackPaths,
  clusterId: number,
): { checkpoints: string; savepoints: string } {
  const root = paths.data(`flink-${clusterId}`);
  return { checkpoints: join(root, 'checkpoints'), savepoints: join(root, 'savepoints') };
}

function clusterPorts(clusterId: number, portOffset?: number) {
  if (!Number.isInteger(clusterId) || clusterId < 0) throw new Error(`bad flink cluster id ${clusterId}`);
  const offset = portOffset ?? FLINK_PORTS_PER_CLUSTER * clusterId;
  const add = (port: number) => port + offset;
  const tm = (n: number) => {
    const first = add(FLINK_DEFAULT_PORTS.taskManagers) + 3 * n;
    return { rpc: first, data: first + 1, metricsQuery: first + 2 };
  };
  return {
    rest: add(FLINK_DEFAULT_PORTS.rest),
    sqlGateway: add(FLINK_DEFAULT_PORTS.sqlGateway),
    jobManagerRpc: add(FLINK_DEFAULT_PORTS.jobManagerRpc),
    blobServer: add(FLINK_DEFAULT_PORTS.blobServer),
    jobManagerMetricsQuery: add(FLINK_DEFAULT_PORTS.jobManagerMetricsQuery),
    taskManager: tm,
  };
}

/** The JVM flags Flink 2.x ships for Java 17 in its default config.yaml (env.java.opts.all). */
export const JAVA_17_OPTS = [
  ...['java.base/sun.net.util', 'java.rmi/sun.rmi.registry', 'java.security.jgss/sun.security.krb5']
    .concat(['api', 'file', 'parser', 'tree', 'util'].map((p) => `jdk.compiler/com.sun.tools.javac.${p}`))
    .map((p) => `--add-exports=${p}=ALL-UNNAMED`),
  ...['lang', 'net', 'io', 'nio', 'lang.reflect', 'text', 'time', 'util', 'util.concurrent']
    .concat(['util.concurrent.atomic', 'util.concurrent.locks'])
    .map((p) => `--add-opens=java.base/java.${p}=ALL-UNNAMED`),
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
];

type ConfigValue = string | number;

interface ProcessOptions {
  name: string;
  ports: number[];
  mainClass: string;
  /** JobManager and TaskManager take `--configDir`; the SQL Gateway reads FLINK_CONF_DIR */
  configDirArgument: boolean;
  jvm: string[];
  /** this process's own settings on top of the cluster-wide ones */
  config: Record<string, ConfigValue>;
  ready: () => Promise<Readiness>;
  dependsOn?: string[];
}

export function flinkCluster(options: FlinkClusterOptions): StackComponent[] {
  const { clusterId } = options;
  const taskManagers = options.taskManagers ?? 1;
  const slots = options.slotsPerTaskManager ?? 4;
  if (!Number.isInteger(taskManagers) || taskManagers < 1 || taskManagers > MAX_TASK_MANAGERS)
    throw new Error(`flink-${clusterId}: taskManagers must be 1..${MAX_TASK_MANAGERS}`);
  const ports = clusterPorts(clusterId, options.portOffset);
  const { restUrl, gatewayUrl } = flinkClusterUrls(clusterId, options.portOffset);

  const common = (paths: StackPaths): Record<string, ConfigValue> => {
    const storage = flinkClusterStorage(paths, clusterId);
    return {
      'jobmanager.rpc.address': HOST,
      'jobmanager.rpc.port': ports.jobManagerRpc,
      'jobmanager.bind-host': HOST,
      'jobmanager.scheduler': 'adaptive',
      'jobmanager.execution.failover-strategy': 'region',
      'blob.server.port': String(ports.blobServer),
      'rest.address': HOST,
      'rest.bind-address': HOST,
      'rest.port': ports.rest,
      // no jar upload or job submission through the REST endpoint: statements arrive only through the
      // SQL Gateway, so nothing that reaches a JobManager can run code on a cell shared by tenants
      'web.submit.enable': 'false',
      'taskmanager.bind-host': HOST,
      'taskmanager.host': HOST,
      'taskmanager.numberOfTaskSlots': slots,
      'taskmanager.cpu.cores': slots,
      'execution.target': 'remote',
      'sql-gateway.endpoint.rest.address': HOST,
      'sql-gateway.endpoint.rest.bind-address': HOST,
      'sql-gateway.endpoint.rest.port': ports.sqlGateway,
      'parallelism.default': 1,
      'state.backend.type': 'hashmap',
      'execution.checkpointing.interval': '10s',
      'execution.checkpointing.dir': `file://${storage.checkpoints}`,
      'execution.checkpointing.savepoint-dir': `file://${storage.savepoints}`,
      'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 10,
      'restart-strategy.fixed-delay.delay': '5s',
    };
  };

  const component = (spec: ProcessOptions): StackComponent => {
    const { name } = spec;
    const dirs = (paths: StackPaths) => {
      const data = paths.data(name);
      const conf = join(data, 'conf');
      return { data, conf, tmp: join(data, 'tmp'), plugins: join(data, 'plugins'), log: join(data, 'log') };
    };
    return {
      name,
      ports: spec.ports,
      startTimeoutMs: 120_000,
      async prepare(paths, progress) {
        progress(`Flink ${FLINK_VERSION} jars and config`);
        await buildFlinkFormats(paths, await flinkLib(paths));
        const d = dirs(paths);
        const storage = flinkClusterStorage(paths, clusterId);
        await rm(d.tmp, { recursive: true, force: true }); // old blobs, web uploads, planner jar copies
        for (const dir of [d.conf, d.tmp, d.plugins, d.log, storage.checkpoints, storage.savepoints])
          await mkdir(dir, { recursive: true });
        const settings = { ...common(paths), ...spec.config, 'io.tmp.dirs': d.tmp, 'web.tmpdir': d.tmp };
        await writeFile(join(d.conf, 'config.yaml'), configYaml(settings));
        await writeFile(join(d.conf, 'log4j2.properties'), LOG4J2);
      },
      process(paths): ProcessSpec {
        const d = dirs(paths);
        const args = [
          ...spec.jvm,
          ...JAVA_17_OPTS,
          `-Djava.io.tmpdir=${d.tmp}`,
          `-Dlog.file=${join(d.log, `${name}.log`)}`,
          `-Dlog4j.configurationFile=file:${join(d.conf, 'log4j2.properties')}`,
          '-classpath',
          `${classpath(libDir(paths))}:${flinkFormatsJar(paths)}`,
          spec.mainClass,
          ...(spec.configDirArgument ? ['--configDir', d.conf] : []),
        ];
        // the SQL Gateway finds its config only through FLINK_CONF_DIR
        return {
          command: 'java',
          args,
          env: { FLINK_CONF_DIR: d.conf, FLINK_PLUGINS_DIR: d.plugins },
          cwd: d.data,
          // open queries alone keep a cell's JobManager and gateway busy (Flink polls each one's results
          // every 100 ms): on one machine they must not starve the control plane of the CPU it answers with
          niceness: FLINK_NICENESS,
        };
      },
      ready: spec.ready,
      dependsOn: spec.dependsOn,
    };
  };

  const jobManager = component({
    name: `flink-${clusterId}-jobmanager`,
    ports: [ports.rest, ports.jobManagerRpc, ports.blobServer, ports.jobManagerMetricsQuery],
    mainClass: 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
    configDirArgument: true,
    jvm: ['-Xms320m', '-Xmx320m', '-XX:MaxMetaspaceSize=192m'],
    config: { 'metrics.internal.query-service.port': String(ports.jobManagerMetricsQuery) },
    ready: () => probe(`${restUrl}/overview`, 'JobManager REST', () => undefined),
  });

  const memory = taskManagerMemory(slots);
  const taskManagerComponents = Array.from({ length: taskManagers }, (_, n) => {
    const name = `flink-${clusterId}-taskmanager-${n}`;
    const p = ports.taskManager(n);
    return component({
      name,
      ports: [p.data, p.metricsQuery],
      mainClass: 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
      configDirArgument: true,
      // registering needs the JobManager; starting both at once only makes the TaskManager back off
      dependsOn: [jobManager.name],
      jvm: memory.jvm,
      config: {
        ...memory.config,
        'taskmanager.resource-id': name,
        // an ephemeral RPC port: a TaskManager restarted after a crash is a new remote address, where the
        // old one's would stay quarantined by the JobManager's Pekko remoting and never register again
        'taskmanager.rpc.port': '0',
        'taskmanager.data.port': p.data,
        'metrics.internal.query-service.port': String(p.metricsQuery),
      },
      ready: () =>
        probe(`${restUrl}/taskmanagers`, `${name} registered with the JobManager`, (body) => {
          const list = (body as { taskmanagers?: { id?: string }[] }).taskmanagers ?? [];
          return list.some((t) => t.id === name) ? undefined : `not yet among ${list.length} TaskManager(s)`;
        }),
    });
  });

  const sqlGateway = component({
    name: `flink-${clusterId}-sql-gateway`,
    ports: [ports.sqlGateway],
    mainClass: 'org.apache.flink.table.gateway.SqlGateway',
    configDirArgument: false,
    jvm: ['-Xms256m', '-Xmx512m'],
    config: {},
    ready: () => probe(`${gatewayUrl}/${FLINK_SQL_GATEWAY_API}/info`, 'SQL Gateway REST', () => undefined),
  });

  return [jobManager, ...taskManagerComponents, sqlGateway];
}

/**
 * TaskManager memory (MiB). Started without Flink's scripts, a TaskManager needs every part set
 * explicitly; its JVM flags follow from the same numbers. (A JobManager needs none: only its JVM flags count.)
 */
function taskManagerMemory(slots: number): { config: Record<string, ConfigValue>; jvm: string[] } {
  const mb = {
    'framework.heap.size': 128,
    'framework.off-heap.size': 128,
    'task.heap.size': Math.max(256, 128 * slots),
    'task.off-heap.size': 64,
    'managed.size': Math.max(128, 64 * slots),
    'network.min': 128,
    'network.max': 128,
    'jvm-metaspace.size': 256,
    'jvm-overhead.min': 192,
    'jvm-overhead.max': 192,
  };
  const heap = mb['framework.heap.size'] + mb['task.heap.size'];
  const direct = mb['framework.off-heap.size'] + mb['task.off-heap.size'] + mb['network.max'];
  const metaspace = mb['jvm-metaspace.size'];
  return {
    config: Object.fromEntries(Object.entries(mb).map(([k, v]) => [`taskmanager.memory.${k}`, `${v}m`])),
    jvm: [
      `-Xms${heap}m`,
      `-Xmx${heap}m`,
      `-XX:MaxDirectMemorySize=${direct}m`,
      `-XX:MaxMetaspaceSize=${metaspace}m`,
    ],
  };
}

/** One GET; `check` returns why the answer is not good enough yet, or undefined when it is. */
async function probe(
  url: string,
  what: string,
  check: (body: unknown) => string | undefined,
): Promise<Readiness> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return { ok: false, waitingFor: `${what} at ${url} (HTTP ${response.status})` };
    const problem = check(await response.json());
    return problem === undefined ? { ok: true } : { ok: false, waitingFor: `${what} (${problem})` };
  } catch (error) {
    const e = error as { cause?: { code?: string }; message: string };
    return { ok: false, waitingFor: `${what} at ${url} (${e.cause?.code ?? e.message})` };
  }
}

const pomPath = (paths: StackPaths): string => join(paths.root, 'deploy/local/maven/flink/pom.xml');

/** The jars' cache folder is named after the pom's content: editing the pom fetches anew. */
function libDir(paths: StackPaths): string {
  const hash = createHash('sha256')
    .update(readFileSync(pomPath(paths)))
    .digest('hex')
    .slice(0, 12);
  return join(paths.cache, `flink-${FLINK_VERSION}-${hash}`, 'lib');
}

/** All components of all clusters share one copy; concurrent prepare() calls wait for the same one. */
const libraries = new Map<string, Promise<string>>();
export function flinkLib(paths: StackPaths): Promise<string> {
  const dir = libDir(paths);
  let pending = libraries.get(dir);
  if (!pending) {
    pending = copyDependencies(pomPath(paths), dir);
    pending.catch(() => libraries.delete(dir));
    libraries.set(dir, pending);
  }
  return pending;
}

/**
 * Sorted jars, the fat connector/format jars (flink-sql-*) last: flink-sql-avro-confluent-registry
 * bundles unrelocated commons-lang3/commons-io, and Flink's own copies must win.
 */
function classpath(lib: string): string {
  const jars = readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .sort();
  const fat = (f: string) => f.startsWith('flink-sql-') && !f.startsWith('flink-sql-gateway');
  return [...jars.filter((f) => !fat(f)), ...jars.filter(fat)].map((f) => join(lib, f)).join(':');
}

/** Flat `key: value` lines; strings are JSON-quoted, which YAML reads as double-quoted scalars. */
function configYaml(settings: Record<string, ConfigValue>): string {
  const lines = Object.entries(settings).map(
    ([k, v]) => `${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`,
  );
  return `# written by deploy/local/src/components/flink.ts on every start; edits are lost\n${lines.join('\n')}\n`;
}

/** Everything to the file named by -Dlog.file (the web UI serves it too); warnings and errors to stdout. */
const LOG4J2 = `monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FileAppender
rootLogger.appenderRef.console.ref = ConsoleAppender
appender.file.name = FileAppender
appender.file.type = RollingFile
appender.file.fileName = \${sys:log.file}
appender.file.filePattern = \${sys:log.file}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
appender.console.name = ConsoleAppender
appender.console.type = Console
appender.console.filter.threshold.type = ThresholdFilter
appender.console.filter.threshold.level = WARN
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
logger.pekko.name = org.apache.pekko
logger.pekko.level = WARN
# the Kafka connector's relocated client: with an unreachable broker it logs thousands of INFO lines a second
logger.kafka.name = org.apache.flink.kafka.shaded.org.apache.kafka
logger.kafka.level = WARN
logger.kafka.additivity = false
logger.kafka.appenderRef.file.ref = FileAppender
# "Could not load CLI class ...FlinkYarnSessionCli" (no YARN here) and "No tokens obtained" are noise
logger.cli.name = org.apache.flink.client.cli.CliFrontend
logger.cli.level = ERROR
logger.tokens.name = org.apache.flink.runtime.security.token.DefaultDelegationTokenManager
logger.tokens.level = ERROR
`;
