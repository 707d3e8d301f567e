import { execFile } from 'node:child_process';
import { type CellEndpoints, ClusterFleet } from '@riffle/application';
import type { PlacementOptions } from '@riffle/domain';

const CELL_ID = /^cell-\d+$/;

/**
 * Cells on this machine: the launcher (`deploy/local/src/cli.ts cell …`) starts Flink clusters and
 * TaskManagers as local JVMs and stops them by PID. The scheduler runs it as a command so the compiled
 * apps do not carry the launcher.
 */
export class LocalFleet extends ClusterFleet {
  readonly provider = 'local';
  readonly elastic = true;
  private readonly argv: string[];

  constructor(
    command: string,
    private readonly cwd: string,
    private readonly options: PlacementOptions,
  ) {
    super();
    this.argv = command.split(/\s+/).filter(Boolean);
  }

  async discover(): Promise<CellEndpoints[]> {
    return JSON.parse(await this.run(['cell', 'list'], 30_000)) as CellEndpoints[];
  }

  async addCell(spec: { taskManagers: number }): Promise<CellEndpoints> {
    const out = await this.run(['cell', 'add', String(spec.taskManagers)], 300_000);
    const cell = JSON.parse(out.trim().split('\n').at(-1)!) as CellEndpoints;
    if (!CELL_ID.test(cell.id)) throw new Error(`the launcher answered an unexpected cell: ${out}`);
    return cell;
  }

  async growCell(cellId: string, addTaskManagers: number): Promise<void> {
    if (!CELL_ID.test(cellId)) throw new Error(`not a local cell: ${cellId}`);
    await this.run(['cell', 'grow', cellId, String(addTaskManagers)], 300_000);
  }

  async removeCell(cellId: string): Promise<void> {
    if (!CELL_ID.test(cellId)) return;
    await this.run(['cell', 'remove', cellId], 120_000);
  }

  placementOptions(): PlacementOptions {
    return this.options;
  }

  private run(args: string[], timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.argv[0]!,
        [...this.argv.slice(1), ...args],
        { cwd: this.cwd, timeout: timeoutMs, maxBuffer: 1 << 20, killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          if (error)
            reject(
              new Error(
                `local fleet: \`${args.join(' ')}\` failed: ${error.message}\n${stderr.slice(-2_000)}`,
              ),
            );
          else resolve(stdout);
        },
      );
    });
  }
}
