import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { once } from 'node:events';
import { ExportSink } from '@riffle/application';

/** Export files in a local directory, written under a temporary name and renamed when complete. */
export class LocalDirectoryExportSink extends ExportSink {
  private readonly root: string;

  constructor(directory: string) {
    super();
    this.root = resolve(directory);
  }

  async write(
    name: string,
    chunks: AsyncIterable<string>,
  ): Promise<{ location: string; bytes: number; sha256: string }> {
    const target = this.inside(name);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(4).toString('hex')}.partial`;
    const hash = createHash('sha256');
    let bytes = 0;
    const out = createWriteStream(temporary);
    try {
      for await (const chunk of chunks) {
        const buffer = Buffer.from(chunk, 'utf8');
        hash.update(buffer);
        bytes += buffer.length;
        if (!out.write(buffer)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      await rename(temporary, target);
    } catch (error) {
      out.destroy();
      await rm(temporary, { force: true });
      throw error;
    }
    return { location: name, bytes, sha256: hash.digest('hex') };
  }

  open(location: string): NodeJS.ReadableStream {
    return createReadStream(this.inside(location));
  }

  /** locations are ours, but never let one leave the directory */
  private inside(name: string): string {
    const path = resolve(join(this.root, name));
    if (!path.startsWith(this.root + sep)) throw new Error(`export location outside ${this.root}: ${name}`);
    return path;
  }
}
