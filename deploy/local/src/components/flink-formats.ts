import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { StackPaths } from '../component';

const run = promisify(execFile);

/**
 * Riffle's own Flink formats (deploy/flink-formats: `json-registry` and `protobuf-registry`, the registry's
 * JSON Schema and Protobuf wire formats), compiled with the JDK's `javac` against the Flink lib folder and packed into
 * `<cache>/riffle-formats/riffle-formats-<hash of the sources>.jar`. The hash names the jar, so an edited
 * source builds a new one and every process of a cluster started later puts exactly that one on its
 * classpath. Built once per content, atomically (a half-written jar never has the final name), with fixed
 * entry order and timestamps, so the same sources give the same bytes.
 */
const SOURCES = 'deploy/flink-formats/src/main';
/** the oldest Java Flink 2.x runs on; the classes then load on any of its JVMs */
const JAVA_RELEASE = '11';
const ENTRY_DATE = '2020-01-01T00:00:00Z';

const sourceRoot = (paths: StackPaths) => join(paths.root, SOURCES);

/** files under `dir`, relative, sorted */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** where the jar for the current sources lives (built or not) */
export function flinkFormatsJar(paths: StackPaths): string {
  const root = sourceRoot(paths);
  const hash = createHash('sha256');
  for (const file of listFiles(root))
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)));
  const name = `riffle-formats-${hash.digest('hex').slice(0, 12)}.jar`;
  return join(paths.cache, 'riffle-formats', name);
}

/** All components share one build; concurrent prepare() calls wait for the same one. */
const builds = new Map<string, Promise<string>>();
export function buildFlinkFormats(paths: StackPaths, flinkLib: string): Promise<string> {
  const jar = flinkFormatsJar(paths);
  let pending = builds.get(jar);
  if (!pending) {
    pending = existsSync(jar) ? Promise.resolve(jar) : build(paths, flinkLib, jar);
    pending.catch(() => builds.delete(jar));
    builds.set(jar, pending);
  }
  return pending;
}

async function build(paths: StackPaths, flinkLib: string, jar: string): Promise<string> {
  const work = `${jar}.partial`;
  const classes = join(work, 'classes');
  await rm(work, { recursive: true, force: true });
  await mkdir(classes, { recursive: true });
  const java = join(sourceRoot(paths), 'java');
  const sources = listFiles(java).filter((file) => file.endsWith('.java'));
  const classpath = readdirSync(flinkLib)
    .filter((file) => file.endsWith('.jar'))
    .sort()
    .map((file) => join(flinkLib, file))
    .join(':');
  await tool('javac', [
    '--release',
    JAVA_RELEASE,
    '-nowarn',
    '-encoding',
    'UTF-8',
    '-classpath',
    classpath,
    '-d',
    classes,
    ...sources.map((file) => join(java, file)),
  ]);
  await cp(join(sourceRoot(paths), 'resources'), classes, { recursive: true });
  const entries = listFiles(classes).flatMap((file) => ['-C', classes, file]);
  const packed = join(work, 'formats.jar');
  await tool('jar', ['--create', '--file', packed, `--date=${ENTRY_DATE}`, '--no-manifest', ...entries]);
  await rename(packed, jar);
  await rm(work, { recursive: true, force: true });
  return jar;
}

async function tool(command: string, args: string[]): Promise<void> {
  try {
    await run(command, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT')
      throw new Error(`${command} not found: building Riffle's Flink formats (${SOURCES}) needs a JDK 11+`);
    throw new Error(
      `${command} failed building ${SOURCES}:\n${`${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message}`,
    );
  }
}
