import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointLocator } from '@riffle/application';

/**
 * The newest complete checkpoint of a job, read from the checkpoint directory itself (the JobManager
 * that knew it may be gone): `<dir>/<jobId>/chk-<n>` with its `_metadata` written. Local and shared
 * file systems (`file://`, a mounted volume); other schemes answer null and the statement falls back to
 * the savepoint of its last stop.
 */
export class FileCheckpointLocator extends CheckpointLocator {
  async latest(checkpointDir: string, jobId: string): Promise<string | null> {
    if (!/^[0-9a-f]{32}$/.test(jobId)) return null;
    const root = checkpointDir.startsWith('file:')
      ? fileURLToPath(checkpointDir)
      : checkpointDir.startsWith('/')
        ? checkpointDir
        : null;
    if (!root) return null;
    const jobDir = join(root, jobId);
    const numbered = (await readdir(jobDir).catch(() => [] as string[]))
      .map((name) => /^chk-(\d+)$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], n: Number(m[1]) }))
      .sort((a, b) => b.n - a.n);
    for (const { name } of numbered) {
      const complete = await stat(join(jobDir, name, '_metadata')).then(
        () => true,
        () => false,
      );
      if (complete) return `file://${join(jobDir, name)}`;
    }
    return null;
  }
}
