import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const READY_MARKER = '.complete';

async function mvn(args: string[]): Promise<void> {
  try {
    await run('mvn', ['-B', '-q', ...args], { maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => l.includes('ERROR'));
    throw new Error(`maven failed: mvn ${args.join(' ')}\n${out.slice(0, 10).join('\n') || e.message}`);
  }
}

/** Fills `target` once, atomically: a half-finished download never looks complete. */
async function once(target: string, fill: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(join(target, READY_MARKER))) return target;
  const tmp = `${target}.partial`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(dirname(target), { recursive: true });
  await mkdir(tmp, { recursive: true });
  await fill(tmp);
  await writeFile(join(tmp, READY_MARKER), new Date().toISOString());
  await rm(target, { recursive: true, force: true });
  await rename(tmp, target);
  return target;
}

/** Copies the runtime dependencies of a pinned pom (deploy/local/maven/<x>/pom.xml) into `target`. */
export function copyDependencies(pom: string, target: string): Promise<string> {
  return once(target, (tmp) =>
    mvn([
      '-f',
      pom,
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${tmp}`,
      '-DincludeScope=runtime',
    ]),
  );
}

/** Unpacks one archive artifact (groupId:artifactId:version:type[:classifier]) into `target`. */
export function unpackArtifact(coordinates: string, target: string): Promise<string> {
  return once(target, (tmp) =>
    mvn([`${DEPENDENCY_PLUGIN}:unpack`, `-Dartifact=${coordinates}`, `-DoutputDirectory=${tmp}`]),
  );
}
