import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as config from '@riffle/config';

/** Reads every YAML document under deploy/kubernetes for manifests.spec.ts (schemas/ holds JSON only). */
export const ROOT = __dirname;
export const SCHEMAS = join(ROOT, 'schemas');
const KUSTOMIZE_FILES = new Set(['kustomization.yaml', 'kustomizeconfig.yaml']);

export type Json = Record<string, unknown>;
export interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}
export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  body: Json;
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}
export interface PodSpec {
  containers: Container[];
  restartPolicy?: string;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
}
export interface Workload {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
}
export interface FlinkDeploymentSpec {
  image: string;
  flinkVersion: string;
  mode?: string;
  job?: unknown;
  flinkConfiguration: Record<string, string>;
  taskManager: { replicas?: number };
  podTemplate?: { metadata?: { labels?: Record<string, string> } };
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
export interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: { protocol?: string; port?: number | string }[];
}
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: NetworkPolicyRule[];
  egress?: NetworkPolicyRule[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === SCHEMAS ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

export function parseFile(file: string): Json[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc, index) => {
    if (doc.errors.length) throw new Error(`${file} document ${index}: ${doc.errors[0].message}`);
    return doc.toJS() as Json;
  });
}

const files = yamlFiles(ROOT).sort();
export const kustomizations = files.filter((f) => f.endsWith('/kustomization.yaml'));
export const manifests: Manifest[] = files
  .filter((file) => !KUSTOMIZE_FILES.has(file.split('/').pop() ?? ''))
  .flatMap((file) =>
    parseFile(file).map((body) => ({
      file: relative(ROOT, file),
      apiVersion: String(body.apiVersion),
      kind: String(body.kind),
      metadata: body.metadata as Metadata,
      body,
    })),
  );
export const label = (m: Manifest) => `${m.file}: ${m.kind} ${m.metadata?.name}`;
export const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
export const spec = <T>(m: Manifest) => m.body.spec as T;
export const deployments = ofKind('Deployment');
export const configMaps = ofKind('ConfigMap');
export const secrets = ofKind('Secret');
export const flinkDeployments = ofKind('FlinkDeployment');

/** Whether a label selector (NetworkPolicy, PDB, Service) selects a pod with these labels. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    matchLabels &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      if (operator === 'Exists') return key in labels;
      if (operator === 'DoesNotExist') return !(key in labels);
      const listed = key in labels && values.includes(labels[key]);
      return operator === 'In' ? listed : !listed;
    })
  );
}

/** The variables the config concerns read (libs/config/src/concerns.ts), whichever concerns exist. */
export const concerns = (Object.values(config) as unknown[]).filter(
  (value): value is config.ConfigConcern<unknown> =>
    typeof value === 'object' && value !== null && 'variables' in value && 'load' in value,
);
export const knownVariables = new Set(concerns.flatMap((concern) => concern.variables));

export function riffleContainers(): { owner: Manifest; container: Container }[] {
  return manifests.flatMap((owner) => {
    const template = (owner.body.spec as Workload | undefined)?.template;
    if (!template) return [];
    return template.spec.containers
      .filter((c) => /^riffle-(api|scheduler|metering|migrate)(:|$)/.test(c.image))
      .map((container) => ({ owner, container }));
  });
}

/** The environment a container sees: envFrom ConfigMaps and Secrets (template placeholders), then env. */
export function containerEnvironment(container: Container): Record<string, string> {
  const data = (kind: string, name: string) => {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    if (!found) throw new Error(`${container.name} refers to a missing ${kind} ${name}`);
    return (found.body.data ?? found.body.stringData) as Record<string, string>;
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, data('ConfigMap', source.configMapRef.name));
    if (source.secretRef) Object.assign(env, data('Secret', source.secretRef.name));
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    const kind = variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap';
    env[variable.name] = ref ? data(kind, ref.name)[ref.key] : (variable.value ?? '');
  }
  return env;
}
