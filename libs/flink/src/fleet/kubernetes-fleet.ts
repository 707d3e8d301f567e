import { readFile } from 'node:fs/promises';
import { type CellEndpoints, ClusterFleet } from '@riffle/application';
import type { PlacementOptions } from '@riffle/domain';
import {
  cellEndpoints,
  cellResourceName,
  type KubernetesObject,
  renderKubernetesCell,
} from './kubernetes-cell';

export interface KubernetesFleetOptions {
  apiUrl: string;
  namespace: string;
  tokenFile: string;
  image: string;
  stateUri: string;
  slotsPerTaskManager: number;
  placement: PlacementOptions;
  /** how long a new cell may take to report its JobManager READY */
  readyTimeoutMs?: number;
}

type Fetch = typeof fetch;
const FIELD_MANAGER = 'riffle-scheduler';
const FLINK_DEPLOYMENTS = 'apis/flink.apache.org/v1beta1';

const collection = (o: KubernetesObject, ns: string) =>
  o.kind === 'FlinkDeployment'
    ? `${FLINK_DEPLOYMENTS}/namespaces/${ns}/flinkdeployments`
    : o.kind === 'Deployment'
      ? `apis/apps/v1/namespaces/${ns}/deployments`
      : `api/v1/namespaces/${ns}/services`;

/**
 * Cells as session-mode `FlinkDeployment`s run by the Flink Kubernetes Operator (plus a SQL Gateway
 * Deployment and Service each), applied with server-side apply through the Kubernetes API; a cell
 * grows and shrinks through `spec.taskManager.replicas`. The scheduler's service account needs
 * get/list/create/patch/delete on those three kinds in its namespace (deploy/kubernetes).
 */
export class KubernetesFleet extends ClusterFleet {
  readonly provider = 'kubernetes';
  readonly elastic = true;

  constructor(
    private readonly options: KubernetesFleetOptions,
    private readonly http: Fetch = fetch,
  ) {
    super();
  }

  async discover(): Promise<CellEndpoints[]> {
    const list = (await this.request(
      'GET',
      `${FLINK_DEPLOYMENTS}/namespaces/${this.options.namespace}/flinkdeployments?labelSelector=${encodeURIComponent('app.kubernetes.io/component=flink-cell')}`,
    )) as { items: { metadata: { name: string } }[] };
    return list.items
      .map((item) => item.metadata.name.replace(/^riffle-/, ''))
      .filter((id) => /^cell-\d+$/.test(id))
      .map((id) => ({ id, ...cellEndpoints(id, this.options.namespace) }));
  }

  async addCell(spec: { taskManagers: number; dedicatedPoolId: string | null }): Promise<CellEndpoints> {
    const taken = new Set((await this.discover()).map((c) => c.id));
    let n = 0;
    while (taken.has(`cell-${n}`)) n++;
    const cellId = `cell-${n}`;
    for (const object of renderKubernetesCell({
      cellId,
      image: this.options.image,
      stateUri: this.options.stateUri,
      slotsPerTaskManager: this.options.slotsPerTaskManager,
      taskManagers: spec.taskManagers,
      dedicatedPoolId: spec.dedicatedPoolId,
    })) {
      await this.request(
        'PATCH',
        `${collection(object, this.options.namespace)}/${object.metadata.name}?fieldManager=${FIELD_MANAGER}&force=true`,
        { ...object, metadata: { ...object.metadata, namespace: this.options.namespace } },
        'application/apply-patch+yaml',
      );
    }
    await this.waitReady(cellId);
    return { id: cellId, ...cellEndpoints(cellId, this.options.namespace) };
  }

  async growCell(cellId: string, addTaskManagers: number): Promise<void> {
    const path = `${FLINK_DEPLOYMENTS}/namespaces/${this.options.namespace}/flinkdeployments/${cellResourceName(cellId)}`;
    const current = (await this.request('GET', path)) as { spec: { taskManager: { replicas: number } } };
    await this.request(
      'PATCH',
      path,
      { spec: { taskManager: { replicas: current.spec.taskManager.replicas + addTaskManagers } } },
      'application/merge-patch+json',
    );
  }

  async removeCell(cellId: string): Promise<void> {
    const ns = this.options.namespace;
    const name = cellResourceName(cellId);
    for (const path of [
      `apis/apps/v1/namespaces/${ns}/deployments/${name}-sql-gateway`,
      `api/v1/namespaces/${ns}/services/${name}-sql-gateway`,
      `${FLINK_DEPLOYMENTS}/namespaces/${ns}/flinkdeployments/${name}`,
    ])
      await this.request('DELETE', path).catch((error: Error) => {
        if (!error.message.includes('HTTP 404')) throw error;
      });
  }

  placementOptions(): PlacementOptions {
    return this.options.placement;
  }

  private async waitReady(cellId: string): Promise<void> {
    const path = `${FLINK_DEPLOYMENTS}/namespaces/${this.options.namespace}/flinkdeployments/${cellResourceName(cellId)}`;
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 600_000);
    for (;;) {
      const cell = (await this.request('GET', path)) as { status?: { jobManagerDeploymentStatus?: string } };
      if (cell.status?.jobManagerDeploymentStatus === 'READY') return;
      if (Date.now() > deadline)
        throw new Error(
          `Flink cell ${cellId} not READY (${cell.status?.jobManagerDeploymentStatus ?? 'no status'})`,
        );
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<unknown> {
    const token = (await readFile(this.options.tokenFile, 'utf8')).trim();
    const response = await this.http(`${this.options.apiUrl.replace(/\/$/, '')}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': contentType ?? 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`Kubernetes ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
