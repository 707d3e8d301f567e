import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StackPaths } from './component';

/** Everything the local stack writes lives under <repo>/.riffle (git-ignored). */
export function stackPaths(root = resolve(__dirname, '../../..')): StackPaths & { run: string } {
  const home = join(root, '.riffle');
  const paths = {
    root,
    home,
    cache: join(home, 'cache'),
    run: join(home, 'run'),
    data: (component: string) => join(home, 'data', component),
    log: (component: string) => join(home, 'logs', `${component}.log`),
  };
  for (const dir of [paths.cache, paths.run, join(home, 'data'), join(home, 'logs')])
    mkdirSync(dir, { recursive: true });
  return paths;
}
