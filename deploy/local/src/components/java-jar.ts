import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ENTRY_DATE = '2020-01-01T00:00:00Z';

/** files under `dir`, relative, sorted */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** the first 12 hex digits of a SHA-256 over the files' names and contents */
export function contentHash(dir: string, extra = ''): string {
  const hash = createHash('sha256').update(extra);
  for (const file of listFiles(dir))
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(dir, file)));
  return hash.digest('hex').slice(0, 12);
}

export interface JavaJarBuild {
  /** what the error messages call it */
  what: string;
  /** folder of .java sources (packages below it) */
  sources: string;
  classpath: string[];
  /** `javac --release` */
  release: string;
  /** the jar to write; written atomically (a half-written jar never has this name) */
  jar: string;
}

/**
 * Compiles `sources` with the JDK's javac and packs the classes with fixed entry order and timestamps, so
 * the same sources give the same bytes. Builds happen once per jar path per process (callers name the jar
 * after the content hash) and are skipped when the jar exists.
 */
const builds = new Map<string, Promise<string>>();
export function buildJavaJar(build: JavaJarBuild): Promise<string> {
  let pending = builds.get(build.jar);
  if (!pending) {
    pending = existsSync(build.jar) ? Promise.resolve(build.jar) : compile(build);
    pending.catch(() => builds.delete(build.jar));
    builds.set(build.jar, pending);
  }
  return pending;
}

async function compile(build: JavaJarBuild): Promise<string> {
  const work = `${build.jar}.partial`;
  const classes = join(work, 'classes');
  await rm(work, { recursive: true, force: true });
  await mkdir(classes, { recursive: true });
  const sources = listFiles(build.sources).filter((file) => file.endsWith('.java'));
  await tool(build.what, 'javac', [
    '--release',
    build.release,
    '-nowarn',
    '-encoding',
    'UTF-8',
    '-classpath',
    build.classpath.join(':'),
    '-d',
    classes,
    ...sources.map((file) => join(build.sources, file)),
  ]);
  const entries = listFiles(classes).flatMap((file) => ['-C', classes, file]);
  const packed = join(work, 'out.jar');
  await tool(build.what, 'jar', [
    '--create',
    '--file',
    packed,
    `--date=${ENTRY_DATE}`,
    '--no-manifest',
    ...entries,
  ]);
  await rename(packed, build.jar);
  await rm(work, { recursive: true, force: true });
  return build.jar;
}

/** Unpacks one entry of a jar (the JDK's `jar` tool is enough) to `target`, atomically, once. */
export async function extractJarEntry(jar: string, entry: string, target: string): Promise<string> {
  if (existsSync(target)) return target;
  const work = `${target}.partial`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    await run('jar', ['xf', jar, entry], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`jar xf ${jar} ${entry} failed: ${(error as Error).message}`);
  }
  if (!existsSync(join(work, entry))) throw new Error(`${jar} has no entry ${entry}`);
  await rename(join(work, entry), target);
  await rm(work, { recursive: true, force: true });
  return target;
}

async function tool(what: string, command: string, args: string[]): Promise<void> {
  try {
    await run(command, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error(`${command} not found: building ${what} needs a JDK 17+`);
    throw new Error(
      `${command} failed building ${what}:\n${`${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message}`,
    );
  }
}
