/**
 * The Kubernetes resources of one Flink cell (pure): a session-mode `FlinkDeployment` for the Flink
 * Kubernetes Operator, and the cell's SQL Gateway as a Deployment plus Service. deploy/kubernetes/
 * flink-cell-0.yaml is this function's output for cell-0 (a test keeps them equal).
 */
export interface KubernetesCellSpec {
  cellId: string;
  image: string;
  /** checkpoints, savepoints and HA data go under `<stateUri>/<cellId>/` */
  stateUri: string;
  slotsPerTaskManager: number;
  taskManagers: number;
  /** set: the cell serves only this dedicated compute pool */
  dedicatedPoolId?: string | null;
}

export type KubernetesObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
};

export const cellResourceName = (cellId: string) => `riffle-${cellId}`;

export function cellEndpoints(cellId: string, namespace: string): { restUrl: string; gatewayUrl: string } {
  const name = cellResourceName(cellId);
  return {
    restUrl: `http://${name}-rest.${namespace}.svc:8081`,
    gatewayUrl: `http://${name}-sql-gateway.${namespace}.svc:8083`,
  };
}

const restricted = {
  runAsNonRoot: true,
  runAsUser: 9999,
  runAsGroup: 9999,
  fsGroup: 9999,
  seccompProfile: { type: 'RuntimeDefault' },
};

export function renderKubernetesCell(spec: KubernetesCellSpec): KubernetesObject[] {
  const name = cellResourceName(spec.cellId);
  const state = `${spec.stateUri}/${spec.cellId}`;
  const pool: Record<string, string> = spec.dedicatedPoolId
    ? { 'riffle.dev/dedicated-pool': spec.dedicatedPoolId }
    : {};
  const jobSettings: [string, string][] = [
    ['state.backend.type', 'rocksdb'],
    ['execution.checkpointing.incremental', 'true'],
    ['execution.checkpointing.interval', '10s'],
    ['execution.checkpointing.dir', `${state}/checkpoints`],
    ['execution.checkpointing.savepoint-dir', `${state}/savepoints`],
    ['execution.checkpointing.externalized-checkpoint-retention', 'RETAIN_ON_CANCELLATION'],
    ['restart-strategy.type', 'fixed-delay'],
    ['restart-strategy.fixed-delay.attempts', '10'],
    ['restart-strategy.fixed-delay.delay', '5s'],
  ];
  const gatewayLabels = {
    'app.kubernetes.io/name': 'flink-sql-gateway',
    'app.kubernetes.io/instance': name,
  };
  const probe = (periodSeconds: number, failureThreshold: number, timeoutSeconds?: number) => ({
    httpGet: { path: '/v1/info', port: 'http' },
    periodSeconds,
    ...(timeoutSeconds ? { timeoutSeconds } : {}),
    failureThreshold,
  });
  return [
    {
      apiVersion: 'flink.apache.org/v1beta1',
      kind: 'FlinkDeployment',
      metadata: {
        name,
        labels: {
          'app.kubernetes.io/name': 'flink',
          'app.kubernetes.io/component': 'flink-cell',
          'app.kubernetes.io/instance': name,
          'app.kubernetes.io/part-of': 'riffle',
          ...pool,
        },
      },
      spec: {
        image: spec.image,
        imagePullPolicy: 'IfNotPresent',
        flinkVersion: 'v2_2',
        mode: 'standalone',
        serviceAccount: 'flink',
        flinkConfiguration: {
          'jobmanager.scheduler': 'adaptive',
          'jobmanager.execution.failover-strategy': 'region',
          // statements arrive only through the SQL Gateway: no jar upload or submission through REST
          'web.submit.enable': 'false',
          'taskmanager.numberOfTaskSlots': String(spec.slotsPerTaskManager),
          'parallelism.default': '1',
          'kubernetes.rest-service.exposed.type': 'ClusterIP',
          'high-availability.type': 'kubernetes',
          'high-availability.storageDir': `${state}/ha`,
          ...Object.fromEntries(jobSettings),
        },
        jobManager: { replicas: 1, resource: { cpu: 1, memory: '2048m' } },
        taskManager: { replicas: spec.taskManagers, resource: { cpu: 2, memory: '8192m' } },
        podTemplate: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            labels: { 'app.kubernetes.io/part-of': 'riffle', 'app.kubernetes.io/instance': name },
          },
          spec: {
            securityContext: restricted,
            containers: [
              {
                name: 'flink-main-container',
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `${name}-sql-gateway`,
        labels: {
          ...gatewayLabels,
          'app.kubernetes.io/component': 'sql-gateway',
          'app.kubernetes.io/part-of': 'riffle',
        },
      },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: gatewayLabels },
        template: {
          metadata: {
            labels: {
              ...gatewayLabels,
              'app.kubernetes.io/component': 'sql-gateway',
              'app.kubernetes.io/part-of': 'riffle',
            },
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restricted,
            containers: [
              {
                name: 'sql-gateway',
                image: spec.image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  'sql-gateway.sh',
                  'start-foreground',
                  `-Dsql-gateway.endpoint.rest.address=${name}-sql-gateway`,
                  '-Dsql-gateway.endpoint.rest.bind-address=0.0.0.0',
                  '-Dsql-gateway.endpoint.rest.port=8083',
                  `-Drest.address=${name}-rest`,
                  '-Drest.port=8081',
                  '-Dexecution.target=remote',
                  '-Dparallelism.default=1',
                  ...jobSettings.map(([k, v]) => `-D${k}=${v}`),
                ],
                ports: [{ name: 'http', containerPort: 8083 }],
                startupProbe: probe(3, 40),
                livenessProbe: probe(10, 3, 3),
                readinessProbe: probe(5, 2, 3),
                resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: `${name}-sql-gateway`,
        labels: { ...gatewayLabels, 'app.kubernetes.io/part-of': 'riffle' },
      },
      spec: {
        type: 'ClusterIP',
        selector: gatewayLabels,
        ports: [{ name: 'http', port: 8083, targetPort: 'http' }],
      },
    },
  ];
}
