/**
 * Regenerates the JSON Schemas in this folder (see README.md for sources and versions):
 *
 *   npx tsx deploy/kubernetes/schemas/vendor-schemas.ts <kubernetes swagger.json> <flinkdeployments CRD .yml>
 *   npx prettier --write deploy/kubernetes/schemas
 *
 * Only the kinds listed in KINDS (the ones deploy/kubernetes uses) and the definitions they reach are
 * written. The schemas are made strict the way `kubectl apply` (server-side field validation: Strict)
 * treats them: an object with declared properties rejects unknown ones unless the API says it keeps them
 * (`x-kubernetes-preserve-unknown-fields`). Descriptions and `x-kubernetes-*` annotations are dropped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

type Schema = { [key: string]: unknown };

/** apiVersion, kind and the OpenAPI definition of every built-in kind the manifests use */
export const KINDS = [
  ['v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap'],
  ['v1', 'Namespace', 'io.k8s.api.core.v1.Namespace'],
  ['v1', 'PersistentVolumeClaim', 'io.k8s.api.core.v1.PersistentVolumeClaim'],
  ['v1', 'Secret', 'io.k8s.api.core.v1.Secret'],
  ['v1', 'Service', 'io.k8s.api.core.v1.Service'],
  ['v1', 'ServiceAccount', 'io.k8s.api.core.v1.ServiceAccount'],
  ['apps/v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment'],
  ['batch/v1', 'Job', 'io.k8s.api.batch.v1.Job'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'io.k8s.api.networking.v1.NetworkPolicy'],
  ['policy/v1', 'PodDisruptionBudget', 'io.k8s.api.policy.v1.PodDisruptionBudget'],
] as const;

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const DEFINITIONS_FILE = '_definitions.json';

/** `deployment-apps-v1.json`, `service-v1.json`, `flinkdeployment-flink-v1beta1.json` (yannh's naming) */
export function schemaFileName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupPart = group ? `-${group.split('.')[0]}` : '';
  return `${kind.toLowerCase()}${groupPart}-${version}.json`.toLowerCase();
}

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function refName(ref: string): string {
  return ref.replace('#/definitions/', '');
}

/** Every definition reachable from the roots through `$ref`. */
function closure(definitions: Record<string, Schema>, roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string') add(refName(node.$ref));
    Object.values(node).forEach(visit);
  };
  const add = (name: string): void => {
    if (seen.has(name)) return;
    if (!definitions[name]) throw new Error(`definition ${name} is missing`);
    seen.add(name);
    visit(definitions[name]);
  };
  roots.forEach(add);
  return [...seen].sort();
}

/** Strict copy of a schema node: see the file comment. `properties` keys are names, not keywords. */
function strict(node: unknown, rewriteRef: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((item) => strict(item, rewriteRef));
  if (!isObject(node)) return node;
  if (node.format === 'int-or-string' || node['x-kubernetes-int-or-string'] === true) {
    return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = rewriteRef(value);
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, strict(schema, rewriteRef)]),
      );
    } else out[key] = strict(value, rewriteRef);
  }
  const keepsUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(out.properties) && out.additionalProperties === undefined && !keepsUnknown) {
    out.additionalProperties = false;
  }
  return out;
}

function kubernetesDefinitions(swagger: { definitions: Record<string, Schema> }): Schema {
  const names = closure(swagger.definitions, [...KINDS.map(([, , definition]) => definition), OBJECT_META]);
  const definitions: Record<string, unknown> = {};
  for (const name of names) {
    definitions[name] =
      name === 'io.k8s.apimachinery.pkg.api.resource.Quantity'
        ? // "1", 1, "500m", "2Gi": the API server takes numbers and strings
          { anyOf: [{ type: 'string' }, { type: 'number' }] }
        : strict(swagger.definitions[name], (ref) => ref);
  }
  return { $id: DEFINITIONS_FILE, definitions };
}

function kindSchema(apiVersion: string, kind: string, target: Schema): Schema {
  return {
    $id: schemaFileName(apiVersion, kind),
    allOf: [target],
    properties: {
      apiVersion: { const: apiVersion },
      kind: { const: kind },
      metadata: { $ref: `${DEFINITIONS_FILE}#/definitions/${OBJECT_META}` },
    },
    required: ['apiVersion', 'kind', 'metadata'],
  };
}

/**
 * The CRD's openAPIV3Schema without `status` (never written by a manifest). fabric8's CRD generator
 * inlines every type where it is used (the pod template three times, a container in each of its
 * lists, ...); identical subtrees of more than MIN_SHARED characters become `definitions`.
 */
function flinkDeploymentSchema(crd: Schema): Schema {
  const spec = crd.spec as { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  const version = spec.versions.find((v) => v.name === 'v1beta1');
  if (!version) throw new Error('the CRD has no v1beta1 version');
  const root = strict(version.schema.openAPIV3Schema, (ref) => ref) as Schema;
  const properties = root.properties as Schema;
  delete properties.status;
  const definitions: Record<string, unknown> = {};
  let shared = largestRepeatedSubtree(root);
  while (shared) {
    const name = uniqueName(shared.name, definitions);
    definitions[name] = JSON.parse(shared.text);
    const ref = { $ref: `#/definitions/${name}` };
    const replaceIn = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(replaceIn);
      if (!isObject(node)) return node;
      if (JSON.stringify(node) === shared?.text) return ref;
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replaceIn(v)]));
    };
    Object.assign(root, replaceIn(root));
    for (const key of Object.keys(definitions)) {
      if (key !== name) definitions[key] = replaceIn(definitions[key]);
    }
    shared = largestRepeatedSubtree({ root, definitions });
  }
  return {
    $id: schemaFileName('flink.apache.org/v1beta1', 'FlinkDeployment'),
    ...root,
    properties: {
      ...(root.properties as Schema),
      // the API server validates a custom resource's metadata as ObjectMeta
      metadata: { $ref: `${DEFINITIONS_FILE}#/definitions/${OBJECT_META}` },
      apiVersion: { const: 'flink.apache.org/v1beta1' },
      kind: { const: 'FlinkDeployment' },
    },
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    definitions,
  };
}

const MIN_SHARED = 400;
const KEYWORDS = new Set(['properties', 'items', 'additionalProperties', 'anyOf', 'definitions', 'root']);

/** The biggest object subtree that occurs at least twice, named after the property that holds it. */
function largestRepeatedSubtree(tree: unknown): { text: string; name: string } | undefined {
  const seen = new Map<string, { count: number; name: string }>();
  const visit = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item, path));
    if (!isObject(node)) return;
    const text = JSON.stringify(node);
    if (text.length >= MIN_SHARED) {
      const entry = seen.get(text);
      const name = [...path].reverse().find((segment) => !KEYWORDS.has(segment)) ?? 'shared';
      seen.set(text, { count: (entry?.count ?? 0) + 1, name: entry?.name ?? name });
    }
    for (const [key, value] of Object.entries(node)) visit(value, [...path, key]);
  };
  visit(tree, []);
  let best: { text: string; name: string } | undefined;
  for (const [text, { count, name }] of seen) {
    if (count > 1 && (!best || text.length > best.text.length)) best = { text, name };
  }
  return best;
}

function uniqueName(name: string, taken: Record<string, unknown>): string {
  if (!(name in taken)) return name;
  let n = 2;
  while (`${name}${n}` in taken) n += 1;
  return `${name}${n}`;
}

function main(swaggerPath: string, crdPath: string): void {
  const out = __dirname;
  const write = (file: string, schema: Schema) =>
    writeFileSync(join(out, file), `${JSON.stringify(schema, null, 2)}\n`);

  const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as { definitions: Record<string, Schema> };
  write(DEFINITIONS_FILE, kubernetesDefinitions(swagger));
  for (const [apiVersion, kind, definition] of KINDS) {
    write(
      schemaFileName(apiVersion, kind),
      kindSchema(apiVersion, kind, { $ref: `${DEFINITIONS_FILE}#/definitions/${definition}` }),
    );
  }
  const crd = parse(readFileSync(crdPath, 'utf8')) as Schema;
  write(schemaFileName('flink.apache.org/v1beta1', 'FlinkDeployment'), flinkDeploymentSchema(crd));
}

if (require.main === module) {
  const [swaggerPath, crdPath] = process.argv.slice(2);
  if (!swaggerPath || !crdPath) {
    process.stderr.write('usage: vendor-schemas.ts <kubernetes swagger.json> <flinkdeployments CRD .yml>\n');
    process.exit(2);
  }
  main(swaggerPath, crdPath);
}
