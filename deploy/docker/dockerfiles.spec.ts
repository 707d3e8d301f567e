import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLINK_VERSION } from '../local/src/components/flink';

/** The Dockerfiles' contract, checked without Docker: targets, entry points, users, pinned versions. */
const REPO = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(__dirname, file), 'utf8');

interface Stage {
  name: string;
  from: string;
  lines: string[];
}

/** The stages of a Dockerfile, continuation lines joined. */
function stages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const result: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/.exec(line);
    if (from) result.push({ from: from[1], name: from[2] ?? '', lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

/** An instruction's last value in a stage, following `FROM <earlier stage>` chains. */
function instruction(all: Stage[], stage: Stage, keyword: string): string | undefined {
  const own = stage.lines.filter((line) => line.startsWith(`${keyword} `)).at(-1);
  if (own) return own.slice(keyword.length + 1);
  const parent = all.find((s) => s.name === stage.from);
  return parent ? instruction(all, parent, keyword) : undefined;
}

describe('deploy/docker/Dockerfile (the control plane)', () => {
  const all = stages(read('Dockerfile'));
  const target = (name: string) => {
    const stage = all.find((s) => s.name === name);
    if (!stage) throw new Error(`no stage ${name}`);
    return stage;
  };

  it('builds once and offers the four targets on Node 24', () => {
    expect(all.map((s) => s.name)).toEqual(['build', 'runtime', 'api', 'scheduler', 'metering', 'migrate']);
    expect(read('Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(target('build').lines.join('\n')).toMatch(/npm run build && npm prune --omit=dev/);
  });

  it.each([
    ['api', 'apps/api/src/main'],
    ['scheduler', 'apps/scheduler/src/main'],
    ['metering', 'apps/metering/src/main'],
    ['migrate', 'libs/persistence/src/migrate.cli'],
  ])('%s runs dist/%s.js, compiled from a source the build includes', (name, entry) => {
    expect(JSON.parse(instruction(all, target(name), 'CMD') ?? '[]')).toEqual([`dist/${entry}.js`]);
    expect(existsSync(join(REPO, `${entry}.ts`))).toBe(true);
    const build = JSON.parse(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    expect(build.include).toContain(entry.split('/')[0]);
  });

  it.each(['api', 'scheduler', 'metering', 'migrate'])(
    '%s runs as the non-root node user under tini',
    (name) => {
      expect(instruction(all, target(name), 'USER')).toBe('node');
      expect(JSON.parse(instruction(all, target(name), 'ENTRYPOINT') ?? '[]')).toEqual([
        '/usr/bin/tini',
        '--',
        'node',
        '--enable-source-maps',
      ]);
    },
  );

  it.each([
    ['api', 'API', 8080],
    ['scheduler', 'SCHEDULER', 8091],
    ['metering', 'METERING', 8092],
  ])('%s listens on all interfaces and checks its own /health', (name, prefix, port) => {
    const stage = target(name);
    expect(instruction(all, stage, 'ENV')).toBe(`${prefix}_HOST=0.0.0.0 ${prefix}_PORT=${port}`);
    expect(instruction(all, stage, 'EXPOSE')).toBe(String(port));
    expect(instruction(all, stage, 'HEALTHCHECK')).toContain(
      `(process.env.${prefix}_PORT||${port})+'/health'`,
    );
  });

  it('gives migrate no healthcheck (it exits when done)', () => {
    expect(target('migrate').lines.some((line) => line.startsWith('HEALTHCHECK'))).toBe(false);
  });
});

describe('deploy/docker/flink.Dockerfile (a Flink cell)', () => {
  const text = read('flink.Dockerfile');
  const arg = (name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(text)?.[1];
  const pom = readFileSync(join(REPO, 'deploy/local/maven/flink/pom.xml'), 'utf8');
  const property = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)?.[1];

  it('pins the Flink and Kafka connector versions of the local stack', () => {
    expect(arg('FLINK_VERSION')).toBe(property('flink.version'));
    expect(arg('FLINK_VERSION')).toBe(FLINK_VERSION);
    expect(arg('FLINK_KAFKA_CONNECTOR_VERSION')).toBe(property('flink.kafka.connector.version'));
    expect(arg('FLINK_IMAGE')).toBe('flink:${FLINK_VERSION}-scala_2.12-java17');
  });

  it('adds the Kafka connector and the avro-confluent format, checksummed, from Maven Central', () => {
    expect(arg('MAVEN_CENTRAL')).toBe('https://repo.maven.apache.org/maven2');
    expect(text).toContain('flink-sql-connector-kafka-${FLINK_KAFKA_CONNECTOR_VERSION}.jar');
    expect(text).toContain('flink-sql-avro-confluent-registry-${FLINK_VERSION}.jar');
    expect(arg('FLINK_KAFKA_CONNECTOR_SHA256')).toMatch(/^[0-9a-f]{64}$/);
    expect(arg('FLINK_AVRO_CONFLUENT_SHA256')).toMatch(/^[0-9a-f]{64}$/);
    expect(text).toContain('sha256sum -c -');
  });

  it("compiles Riffle's formats in a JDK stage from the sources the local stack compiles, into lib/", () => {
    const all = stages(text);
    expect(all.map((s) => [s.name, s.from])).toEqual([
      ['flink', '${FLINK_IMAGE}'],
      ['formats', 'eclipse-temurin:17-jdk'],
      ['', 'flink'],
    ]);
    const build = all[1]!.lines.join('\n');
    expect(build).toContain('COPY deploy/flink-formats/src/main /formats');
    expect(build).toContain('javac --release 17');
    expect(existsSync(join(REPO, 'deploy/flink-formats/src/main/java'))).toBe(true);
    expect(existsSync(join(REPO, 'deploy/flink-formats/src/main/resources/META-INF/services'))).toBe(true);
    expect(all[2]!.lines).toContain(
      'COPY --from=formats --chown=flink:flink /riffle-formats.jar /opt/flink/lib/riffle-formats.jar',
    );
    expect(read('flink.Dockerfile.dockerignore')).toContain('!deploy/flink-formats/src/main');
  });

  it('keeps the SQL Gateway runnable and runs as the flink user', () => {
    expect(text).toContain('test -x /opt/flink/bin/sql-gateway.sh');
    expect(text).toMatch(/^USER flink$/m);
  });
});

describe('deploy/docker/sql-analyzer.Dockerfile (the SQL analyzer)', () => {
  const text = read('sql-analyzer.Dockerfile');
  const cell = read('flink.Dockerfile');
  const arg = (source: string, name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(source)?.[1];

  it('plans with the jars of a Flink cell: same image, versions and checksums', () => {
    for (const name of [
      'FLINK_VERSION',
      'FLINK_IMAGE',
      'FLINK_KAFKA_CONNECTOR_VERSION',
      'FLINK_KAFKA_CONNECTOR_SHA256',
      'FLINK_AVRO_CONFLUENT_SHA256',
      'MAVEN_CENTRAL',
    ])
      expect([name, arg(text, name)]).toEqual([name, arg(cell, name)]);
    expect(text).toContain('sha256sum -c -');
  });

  it('compiles the analyzer and the formats from the sources the local stack compiles, without the planner loader', () => {
    const all = stages(text);
    expect(all.map((s) => s.name)).toEqual(['flink', 'build', '']);
    const build = all[1]!.lines.join('\n');
    expect(build).toContain('COPY deploy/sql-analyzer/src/main/java /analyzer');
    expect(build).toContain(
      'jar xf "/flink-lib/flink-table-planner-loader-${FLINK_VERSION}.jar" flink-table-planner.jar',
    );
    expect(
      existsSync(
        join(REPO, 'deploy/sql-analyzer/src/main/java/io/riffle/sqlanalyzer/SqlAnalyzerServer.java'),
      ),
    ).toBe(true);
    expect(read('sql-analyzer.Dockerfile.dockerignore')).toContain('!deploy/sql-analyzer/src/main');
    expect(text).toMatch(/^USER flink$/m);
    expect(text).toContain('io.riffle.sqlanalyzer.SqlAnalyzerServer');
  });
});
