import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProcessSpec, Readiness, StackComponent, StackPaths } from '../component';

/**
 * Apicurio Registry with its Confluent-compatible API (/apis/ccompat/v7), storing schemas in
 * PostgreSQL so they survive restarts. A Quarkus app run as a plain `java -jar`.
 *
 * 3.0.9, not 3.3.3: 3.3.3's classes are built for Java 21 (it fails on our Java 17 with
 * UnsupportedClassVersionError); 3.0.9 is built for Java 17. 3.1.0 is not in the registry we reach.
 */
export const REGISTRY_VERSION = '3.0.9';
export const REGISTRY_PORT = 8081;
export const REGISTRY_DATABASE = 'riffle_registry';
const HOST = '127.0.0.1';
const ARTIFACT = `io.apicurio:apicurio-registry-app:${REGISTRY_VERSION}:tar.gz:all`;

export interface RegistryOptions {
  name?: string;
  port?: number;
  /** -Xmx, e.g. "384m" */
  heap?: string;
  database?: string;
  postgres?: { host?: string; port?: number; user?: string; password?: string };
}

/** The registry's root URL; Apicurio's own API is under /apis/registry/v3. */
export function registryUrl(port: number = REGISTRY_PORT): string {
  return `http://${HOST}:${port}`;
}

/** What Confluent schema-registry clients take as `host` / `schema.registry.url`. */
export function registryCcompatUrl(port: number = REGISTRY_PORT): string {
  return `${registryUrl(port)}/apis/ccompat/v7`;
}

const run = promisify(execFile);

export function registry(options: RegistryOptions = {}): StackComponent {
  const name = options.name ?? 'registry';
  const port = options.port ?? REGISTRY_PORT;
  const heap = options.heap ?? '384m';
  const database = options.database ?? REGISTRY_DATABASE;
  const pg = { host: HOST, port: 5432, user: 'postgres', password: '', ...options.postgres };
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`registry: unsafe database name "${database}"`);

  const appDir = (paths: StackPaths) => join(paths.cache, `apicurio-registry-${REGISTRY_VERSION}`);
  const base = registryUrl(port);

  return {
    name,
    ports: [port],
    startTimeoutMs: 90_000,

    async prepare(paths, progress) {
      progress(`fetching Apicurio Registry ${REGISTRY_VERSION}`);
      await fetchApp(appDir(paths));
      await mkdir(paths.data(name), { recursive: true });
      progress(`ensuring PostgreSQL database ${database}`);
      await ensureDatabase(pg, database);
    },

    process(paths): ProcessSpec {
      const data = paths.data(name);
      const props: Record<string, string | number> = {
        'quarkus.http.host': HOST,
        'quarkus.http.port': port,
        'apicurio.storage.kind': 'sql',
        'apicurio.storage.sql.kind': 'postgresql',
        'apicurio.datasource.url': `jdbc:postgresql://${pg.host}:${pg.port}/${database}`,
        'apicurio.datasource.username': pg.user,
        // never asked for under trust auth; a placeholder rather than an empty -D value
        'apicurio.datasource.password': pg.password || 'unused',
        // the default pool (20..100 connections) would eat most of PostgreSQL's 100
        'apicurio.datasource.jdbc.initial-size': 2,
        'apicurio.datasource.jdbc.min-size': 2,
        'apicurio.datasource.jdbc.max-size': 10,
        // ids handed out by ccompat are content ids, as in Confluent: one id per distinct schema,
        // shared by every subject that registers it, and GET /schemas/ids/{id} resolves them
        'apicurio.ccompat.legacy-id-mode.enabled': 'false',
        // no auth; OIDC is built in but off unless a tenant is enabled
        'quarkus.oidc.tenant-enabled': 'false',
        'apicurio.auth.role-based-authorization': 'false',
        'apicurio.storage.snapshot.location': data,
        'apicurio.import.work-dir': data,
      };
      const jar = join(appDir(paths), `apicurio-registry-app-${REGISTRY_VERSION}-runner.jar`);
      return {
        command: 'java',
        args: [
          '-Xms128m',
          `-Xmx${heap}`,
          '-XX:+UseG1GC',
          '-XX:+ExitOnOutOfMemoryError',
          ...Object.entries(props).map(([key, value]) => `-D${key}=${value}`),
          '-jar',
          jar,
        ],
        // Quarkus also reads ./.env and ./config/application.properties: keep the cwd ours
        cwd: data,
      };
    },

    async ready(): Promise<Readiness> {
      for (const path of ['/health/ready', '/apis/ccompat/v7/subjects']) {
        const status = await httpStatus(`${base}${path}`);
        if (status !== 200) return { ok: false, waitingFor: `registry GET ${base}${path} (${status})` };
      }
      return { ok: true };
    },
  };
}

async function httpStatus(url: string): Promise<string | number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).message;
  }
}

/**
 * The app's pom names a parent pom that the registry we reach lacks, and maven-dependency-plugin
 * 3.x (copy, unpack, get) insists on reading it. 2.10's `get -Dtransitive=false` fetches the
 * archive alone; `tar` unpacks it. Done once: the folder is complete when it has `.complete`.
 */
async function fetchApp(target: string): Promise<void> {
  if (existsSync(join(target, '.complete'))) return;
  const tmp = `${target}.partial`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const archive = join(tmp, 'app.tar.gz');
  try {
    await run('mvn', [
      '-B',
      '-q',
      'org.apache.maven.plugins:maven-dependency-plugin:2.10:get',
      `-Dartifact=${ARTIFACT}`,
      '-Dtransitive=false',
      `-Ddest=${archive}`,
    ]);
  } catch (error) {
    const e = error as { stdout?: string; message: string };
    const lines = (e.stdout ?? '').split('\n').filter((l) => l.includes('ERROR'));
    throw new Error(`maven failed to fetch ${ARTIFACT}\n${lines.slice(0, 5).join('\n') || e.message}`);
  }
  await run('tar', ['-xzf', archive, '-C', tmp]);
  await rm(archive);
  await writeFile(join(tmp, '.complete'), new Date().toISOString());
  await rm(target, { recursive: true, force: true });
  await rename(tmp, target);
}

type Postgres = { host: string; port: number; user: string; password: string };

async function ensureDatabase(pg: Postgres, database: string): Promise<void> {
  const psql = (sql: string) =>
    run('psql', ['-h', pg.host, '-p', String(pg.port), '-U', pg.user, '-d', 'postgres', '-tAc', sql], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5', ...(pg.password ? { PGPASSWORD: pg.password } : {}) },
    });
  try {
    const { stdout } = await psql(`SELECT 1 FROM pg_database WHERE datname = '${database}'`);
    if (stdout.trim() !== '1') await psql(`CREATE DATABASE ${database}`);
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`registry: cannot create database ${database}: ${e.stderr?.trim() || e.message}`);
  }
}
