import { flinkCluster, flinkClusterUrls } from './components/flink';
import type { StackPaths } from './component';
import { runningPid } from './processes';
import { type Progress, stackDown, stackUp } from './stack';

/**
 * Flink cells on this machine for the scheduler's `local` fleet provider (`cli.ts cell …`). Cell
 * `cell-N` is local Flink cluster N (its own port block); cluster 0 is the one `npm start` runs.
 */
export const MAX_LOCAL_CELLS = 4;

export interface LocalCell {
  id: string;
  restUrl: string;
  gatewayUrl: string;
  taskManagers: number;
}

type Paths = StackPaths & { run: string };

const clusterOf = (cellId: string): number => {
  const match = /^cell-(\d)$/.exec(cellId);
  const n = match ? Number(match[1]) : NaN;
  if (!(n >= 0 && n < MAX_LOCAL_CELLS))
    throw new Error(`no local cell "${cellId}" (cell-0 … cell-${MAX_LOCAL_CELLS - 1})`);
  return n;
};

function taskManagersRunning(paths: Paths, cluster: number): number {
  let n = 0;
  while (runningPid(paths.run, `flink-${cluster}-taskmanager-${n}`) !== undefined) n++;
  return n;
}

/** every cluster whose JobManager is running */
export function listCells(paths: Paths): LocalCell[] {
  return Array.from({ length: MAX_LOCAL_CELLS }, (_, n) => n)
    .filter((n) => runningPid(paths.run, `flink-${n}-jobmanager`) !== undefined)
    .map((n) => ({ id: `cell-${n}`, ...flinkClusterUrls(n), taskManagers: taskManagersRunning(paths, n) }));
}

/** starts the lowest free cluster number with `taskManagers` TaskManagers; resolves once it is ready */
export async function addCell(
  paths: Paths,
  taskManagers: number,
  slotsPerTaskManager: number,
  progress: Progress,
): Promise<LocalCell> {
  const free = Array.from({ length: MAX_LOCAL_CELLS }, (_, n) => n).find(
    (n) => runningPid(paths.run, `flink-${n}-jobmanager`) === undefined,
  );
  if (free === undefined) throw new Error(`all ${MAX_LOCAL_CELLS} local cells are running`);
  const components = flinkCluster({ clusterId: free, taskManagers, slotsPerTaskManager });
  try {
    await stackUp(components, paths, progress);
  } catch (error) {
    await stackDown(
      components,
      paths,
      progress,
      components.map((c) => c.name),
    );
    throw error;
  }
  return { id: `cell-${free}`, ...flinkClusterUrls(free), taskManagers };
}

/** adds TaskManagers to a running cell */
export async function growCell(
  paths: Paths,
  cellId: string,
  addTaskManagers: number,
  slotsPerTaskManager: number,
  progress: Progress,
): Promise<void> {
  const cluster = clusterOf(cellId);
  const taskManagers = taskManagersRunning(paths, cluster) + addTaskManagers;
  // components already running are reused: only the new TaskManagers start
  await stackUp(flinkCluster({ clusterId: cluster, taskManagers, slotsPerTaskManager }), paths, progress);
}

/** stops every process of the cell that is still running (by PID) */
export async function removeCell(paths: Paths, cellId: string, progress: Progress): Promise<void> {
  const cluster = clusterOf(cellId);
  const components = flinkCluster({ clusterId: cluster, taskManagers: 20, slotsPerTaskManager: 1 });
  await stackDown(
    components,
    paths,
    progress,
    components.map((c) => c.name),
  );
}
