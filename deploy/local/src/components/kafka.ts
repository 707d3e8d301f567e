import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProcessSpec, Readiness, StackComponent, StackPaths } from '../component';
import { copyDependencies } from '../maven';

/**
 * Single-node Apache Kafka in KRaft mode (one JVM is broker and controller), a plain `java`
 * process on a classpath copied from deploy/local/maven/kafka/pom.xml.
 */
export const KAFKA_VERSION = '3.9.1';
export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;
/** the listener tenants' Flink jobs use: SASL/SCRAM, each logical cluster's principal held to its ACLs */
export const KAFKA_TENANT_PORT = 9094;
const HOST = '127.0.0.1';

export interface KafkaOptions {
  name?: string;
  port?: number;
  controllerPort?: number;
  tenantPort?: number;
  /** -Xms/-Xmx, e.g. "512m" */
  heap?: string;
}

/** bootstrap.servers for clients */
export function kafkaBootstrap(port: number = KAFKA_PORT): string {
  return `${HOST}:${port}`;
}

/** bootstrap.servers of the SASL listener tenants' Flink jobs log in to */
export function kafkaTenantBootstrap(port: number = KAFKA_TENANT_PORT): string {
  return `${HOST}:${port}`;
}

const run = promisify(execFile);

export function kafka(options: KafkaOptions = {}): StackComponent {
  const name = options.name ?? 'kafka';
  const port = options.port ?? KAFKA_PORT;
  const controllerPort = options.controllerPort ?? KAFKA_CONTROLLER_PORT;
  const tenantPort = options.tenantPort ?? KAFKA_TENANT_PORT;
  const heap = options.heap ?? '512m';

  const files = (paths: StackPaths) => {
    const data = paths.data(name);
    return {
      data,
      serverProperties: join(data, 'server.properties'),
      log4j: join(data, 'log4j.properties'),
      clusterId: join(data, 'cluster-id'),
      logDirs: join(data, 'kraft'),
      serverLog: join(data, 'logs', 'server.log'),
    };
  };

  const javaArgs = (paths: StackPaths, mainClass: string, args: string[]): string[] => [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${files(paths).log4j}`,
    '-cp',
    join(libDir(paths), '*'),
    mainClass,
    ...args,
  ];

  return {
    name,
    ports: [port, controllerPort, tenantPort],
    startTimeoutMs: 90_000,

    async prepare(paths, progress) {
      progress(`resolving Kafka ${KAFKA_VERSION} jars`);
      await copyDependencies(pomPath(paths), libDir(paths));

      const f = files(paths);
      await mkdir(join(f.data, 'logs'), { recursive: true });
      await writeFile(f.serverProperties, serverProperties(port, controllerPort, tenantPort, f.logDirs));
      await writeFile(f.log4j, log4jProperties(f.serverLog));

      if (!existsSync(join(f.logDirs, 'meta.properties'))) {
        const clusterId = await readOrCreateClusterId(f.clusterId);
        progress(`formatting KRaft storage (cluster id ${clusterId})`);
        const args = ['format', '-t', clusterId, '-c', f.serverProperties, '--ignore-formatted'];
        await run('java', javaArgs(paths, 'kafka.tools.StorageTool', args));
      }
    },

    process(paths): ProcessSpec {
      const f = files(paths);
      return { command: 'java', args: javaArgs(paths, 'kafka.Kafka', [f.serverProperties]), cwd: f.data };
    },

    ready: () => apiVersionsProbe(HOST, port, 2_000),
  };
}

const pomPath = (paths: StackPaths): string => join(paths.root, 'deploy/local/maven/kafka/pom.xml');

/** The jars' cache folder is named after the pom's content: editing the pom fetches anew. */
function libDir(paths: StackPaths): string {
  const hash = createHash('sha256')
    .update(readFileSync(pomPath(paths)))
    .digest('hex')
    .slice(0, 12);
  return join(paths.cache, `kafka-${KAFKA_VERSION}-${hash}`);
}

function serverProperties(port: number, controllerPort: number, tenantPort: number, logDirs: string): string {
  return `# written by deploy/local/src/components/kafka.ts on every start; edits are lost
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${controllerPort}
# PLAINTEXT: Riffle itself and the tests, on loopback (its principal, User:ANONYMOUS, is a super user);
# TENANT: tenants' Flink jobs, each logged in as its logical cluster's SCRAM principal, held to its ACLs
listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort},TENANT://${HOST}:${tenantPort}
advertised.listeners=PLAINTEXT://${HOST}:${port},TENANT://${HOST}:${tenantPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,TENANT:SASL_PLAINTEXT
listener.name.tenant.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.tenant.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
allow.everyone.if.no.acl.found=false
log.dirs=${logDirs}
# topics are created explicitly by the control plane, as on a managed Kafka
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
# transactions (Flink's EXACTLY_ONCE Kafka sink) on a single broker
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=168
`;
}

function log4jProperties(serverLog: string): string {
  return `# everything to ${serverLog}; only warnings and errors to stdout
log4j.rootLogger=INFO, file, stdout
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${serverLog}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.Threshold=WARN
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
`;
}

/** A KRaft cluster id is a Kafka Uuid: 16 random bytes, base64url without padding (22 chars). */
async function readOrCreateClusterId(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  let id = '';
  // Kafka's own Uuid.randomUuid() never hands out ids starting with '-' (they read like CLI flags)
  while (id === '' || id.startsWith('-')) id = randomBytes(16).toString('base64url');
  await writeFile(file, `${id}\n`);
  return id;
}

/**
 * Sends an ApiVersions (v0) request. The broker answers only once it has caught up with the
 * metadata quorum and opened request processing, which a bare TCP connect does not show.
 */
export function apiVersionsProbe(host: string, port: number, timeoutMs: number): Promise<Readiness> {
  const where = `kafka ApiVersions on ${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const finish = (result: Readiness) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ ok: false, waitingFor: `${where} (no answer yet)` }));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      finish({ ok: false, waitingFor: `${where} (${e.code ?? e.message})` }),
    );
    socket.on('connect', () => socket.write(apiVersionsRequest()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 10 || received.length < 4 + received.readInt32BE(0)) return;
      // response: size, correlation id, error code, ...
      const correlationId = received.readInt32BE(4);
      const errorCode = received.readInt16BE(8);
      if (correlationId === CORRELATION_ID && errorCode === 0) finish({ ok: true });
      else finish({ ok: false, waitingFor: `${where} (error code ${errorCode})` });
    });
    socket.on('close', () => finish({ ok: false, waitingFor: `${where} (connection closed)` }));
  });
}

const CORRELATION_ID = 1;

function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from('riffle-stack');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0); // api key: ApiVersions
  body.writeInt16BE(0, 2); // api version 0: empty request body
  body.writeInt32BE(CORRELATION_ID, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}
