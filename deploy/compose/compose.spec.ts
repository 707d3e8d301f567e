import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import * as config from '@riffle/config';
import { KAFKA_VERSION } from '../local/src/components/kafka';
import { REGISTRY_VERSION } from '../local/src/components/registry';

/** deploy/compose/compose.yaml: the whole stack wired together, checked without Docker. */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string | string[] };
  restart?: string;
  volumes?: string[];
}

const FILE = join(__dirname, 'compose.yaml');
const compose = parse(readFileSync(FILE, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const APPS = { api: 8080, scheduler: 8091, metering: 8092 } as const;
const ONE_OFF = new Set(['migrate']);

const concerns = (Object.values(config) as unknown[]).filter(
  (value): value is config.ConfigConcern<unknown> =>
    typeof value === 'object' && value !== null && 'variables' in value && 'load' in value,
);
const knownVariables = new Set(concerns.flatMap((concern) => concern.variables));
/** what `docker compose up` passes, with the variables it requires from the shell set as a user would */
const SHELL: Record<string, string> = { RIFFLE_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+):\?[^}]*\}/g, (_, name: string) => {
    if (!(name in SHELL)) throw new Error(`compose requires ${name}, which this test does not set`);
    return SHELL[name]!;
  });
const env = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
  );

describe('docker compose stack (deploy/compose/compose.yaml)', () => {
  it('has every component of the stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'postgres',
        'redis',
        'kafka',
        'registry',
        'flink-jobmanager',
        'flink-taskmanager',
        'flink-sql-gateway',
        'sql-analyzer',
        'migrate',
        'api',
        'scheduler',
        'metering',
      ].sort(),
    );
  });

  it.each(Object.keys(services).filter((s) => !ONE_OFF.has(s)))(
    '%s has a healthcheck and restarts',
    (name) => {
      const test = services[name].healthcheck?.test;
      expect(Array.isArray(test) ? test[0] : test).toMatch(/^(CMD|CMD-SHELL)$/);
      expect(services[name].restart).toBe('unless-stopped');
    },
  );

  it('runs migrate once, to completion, before any app starts', () => {
    expect(services.migrate.restart).toBe('no');
    expect(services.migrate.healthcheck).toBeUndefined();
    for (const app of Object.keys(APPS)) {
      expect(services[app].depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it('depends only on services that exist, with conditions they can meet', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect([name, target, target in services]).toEqual([name, target, true]);
        if (condition === 'service_healthy')
          expect([target, services[target].healthcheck]).not.toEqual([target, undefined]);
        else if (condition === 'service_completed_successfully') expect(ONE_OFF.has(target)).toBe(true);
        else expect(condition).toBe('service_started');
      }
    }
  });

  it('builds from Dockerfiles and targets that exist', () => {
    for (const [name, service] of Object.entries(services).filter(([, s]) => s.build)) {
      const { context, dockerfile, target } = service.build as NonNullable<Service['build']>;
      const path = resolve(__dirname, context, dockerfile);
      expect([name, existsSync(path)]).toEqual([name, true]);
      if (target) expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^FROM \\S+ AS ${target}$`, 'm'));
    }
    expect(services.migrate.build?.target).toBe('migrate');
    for (const app of Object.keys(APPS)) expect(services[app].build?.target).toBe(app);
  });

  it('mounts only declared named volumes', () => {
    const named = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0])
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect([...new Set(named)].sort()).toEqual(Object.keys(compose.volumes ?? {}).sort());
  });

  it('runs the versions the local stack runs', () => {
    expect(services.kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(services.registry.image).toBe(`apicurio/apicurio-registry:${REGISTRY_VERSION}`);
    for (const name of ['flink-jobmanager', 'flink-taskmanager', 'flink-sql-gateway']) {
      expect(services[name].build?.dockerfile).toBe('deploy/docker/flink.Dockerfile');
    }
  });

  it('runs the SQL Gateway from the Flink image against the JobManager, with the cell’s settings', () => {
    const command = services['flink-sql-gateway'].command as string[];
    expect(command.slice(0, 2)).toEqual(['sql-gateway.sh', 'start-foreground']);
    expect(command).toEqual(
      expect.arrayContaining(['-Drest.address=flink-jobmanager', '-Dsql-gateway.endpoint.rest.port=8083']),
    );
    const properties = env('flink-jobmanager').FLINK_PROPERTIES;
    expect(properties).toContain('jobmanager.scheduler: adaptive');
    expect(env('flink-taskmanager').FLINK_PROPERTIES).toBe(properties);
    expect(env('flink-sql-gateway').FLINK_PROPERTIES).toBe(properties);
  });

  describe('Riffle apps', () => {
    it.each(['migrate', ...Object.keys(APPS)])(
      '%s sets only variables libs/config knows, and they load',
      (name) => {
        const variables = env(name);
        expect(Object.keys(variables).filter((v) => !knownVariables.has(v))).toEqual([]);
        for (const concern of concerns) expect(() => concern.load(variables)).not.toThrow();
      },
    );

    it.each(Object.entries(APPS))(
      '%s listens on all interfaces on port %d and checks /ready',
      (name, port) => {
        const upper = name.toUpperCase();
        expect(env(name)).toMatchObject({ [`${upper}_HOST`]: '0.0.0.0', [`${upper}_PORT`]: String(port) });
        expect(JSON.stringify(services[name].healthcheck?.test)).toContain(`127.0.0.1:${port}/ready`);
      },
    );

    it('points the apps at the compose services', () => {
      const variables = env('api');
      const host = (url: string) => new URL(url).hostname;
      expect(host(variables.DATABASE_URL)).toBe('postgres');
      expect(host(variables.REDIS_URL)).toBe('redis');
      expect(variables.KAFKA_BOOTSTRAP_SERVERS).toBe('kafka:9092');
      expect(host(variables.SCHEMA_REGISTRY_URL)).toBe('registry');
      expect(host(variables.FLINK_REST_URL)).toBe('flink-jobmanager');
      expect(host(variables.FLINK_SQL_GATEWAY_URL)).toBe('flink-sql-gateway');
      expect(host(variables.SQL_ANALYZER_URL)).toBe('sql-analyzer');
      expect(env('migrate').DATABASE_URL).toBe(variables.DATABASE_URL);
    });
  });
});
