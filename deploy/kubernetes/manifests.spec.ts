import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { FLINK_VERSION } from '../local/src/components/flink';
import {
  type FlinkDeploymentSpec,
  type Json,
  type Manifest,
  type NetworkPolicyRule,
  type NetworkPolicySpec,
  type Workload,
  ROOT,
  SCHEMAS,
  concerns,
  configMaps,
  containerEnvironment,
  deployments,
  flinkDeployments,
  knownVariables,
  kustomizations,
  label,
  manifests,
  ofKind,
  parseFile,
  riffleContainers,
  secrets,
  selects,
  spec,
} from './load-manifests';
import { KINDS, schemaFileName } from './schemas/vendor-schemas';

/**
 * Every YAML document under deploy/kubernetes, validated against the schemas vendored in schemas/
 * (Kubernetes 1.34 and the Flink Kubernetes Operator's FlinkDeployment CRD, both strict), plus the
 * rules the schemas cannot express: probes, resources, security, configuration and the Flink cells.
 */
const APPS = [
  { app: 'api', port: 8080, portVariable: 'API_PORT' },
  { app: 'scheduler', port: 8091, portVariable: 'SCHEDULER_PORT' },
  { app: 'metering', port: 8092, portVariable: 'METERING_PORT' },
] as const;
/** Never reachable from a Flink pod except through the ipBlock rule for the Kubernetes API's ports. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'];

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('finds the manifests and every document names its kind', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const m of manifests) {
      expect([label(m), typeof m.body.apiVersion, typeof m.body.kind]).toEqual([
        label(m),
        'string',
        'string',
      ]);
      expect(m.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  describe('JSON Schema validation', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    addFormats(ajv);
    for (const file of readdirSync(SCHEMAS).filter((f) => f.endsWith('.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Json);
    }

    it.each(manifests.map((m) => [label(m), m] as const))('%s is valid', (_, m) => {
      const validate = ajv.getSchema(schemaFileName(m.apiVersion, m.kind));
      if (!validate) throw new Error(`no vendored schema for ${m.apiVersion} ${m.kind} (schemas/README.md)`);
      const valid = validate(m.body);
      expect(valid ? [] : ajv.errorsText(validate.errors, { separator: '\n' }).split('\n')).toEqual([]);
    });

    it('rejects what the API server would (the schemas are strict)', () => {
      const deployment = structuredClone(deployments[0].body) as { spec: Workload };
      const container = deployment.spec.template.spec.containers[0] as unknown as Json;
      container.readinesProbe = container.readinessProbe; // a typo
      deployment.spec.replicas = 'two' as unknown as number;
      const validate = ajv.getSchema(schemaFileName('apps/v1', 'Deployment'));
      expect(validate?.(deployment)).toBe(false);
      const errors = validate?.errors?.map((e) => String(e.params.additionalProperty ?? e.instancePath));
      expect(errors?.sort()).toEqual(['/spec/replicas', 'readinesProbe']);
      const cell = structuredClone(flinkDeployments[0].body) as { spec: Json };
      cell.spec.flinkVersion = 'v9_9';
      expect(ajv.getSchema(schemaFileName('flink.apache.org/v1beta1', 'FlinkDeployment'))?.(cell)).toBe(
        false,
      );
    });

    it('vendors a schema for exactly the kinds in use', () => {
      const used = new Set(manifests.map((m) => `${m.apiVersion} ${m.kind}`));
      const vendored = new Set([
        ...KINDS.map(([apiVersion, kind]) => `${apiVersion} ${kind}`),
        'flink.apache.org/v1beta1 FlinkDeployment',
      ]);
      expect([...vendored].sort()).toEqual([...used].sort());
    });
  });

  describe('kustomize', () => {
    it('lists files that exist, and every manifest but the Secret template is in a kustomization', () => {
      const listed = new Set<string>();
      for (const file of kustomizations) {
        const [k] = parseFile(file) as { resources?: string[]; configurations?: string[] }[];
        for (const entry of [...(k.resources ?? []), ...(k.configurations ?? [])]) {
          const path = join(dirname(file), entry);
          expect([entry, existsSync(path)]).toEqual([entry, true]);
          listed.add(relative(ROOT, path));
        }
      }
      const applied = [...new Set(manifests.map((m) => m.file))].filter((f) => !f.endsWith('.template.yaml'));
      expect(applied.filter((f) => !listed.has(f))).toEqual([]);
    });

    it('keeps the migration Job out of the apps kustomization (it runs first, on its own)', () => {
      const [main] = parseFile(join(ROOT, 'kustomization.yaml')) as { resources: string[] }[];
      const jobs = ofKind('Job');
      expect(jobs.map((j) => j.file)).toEqual(['migrate/job.yaml']);
      expect(main.resources).not.toContain('migrate/job.yaml');
    });

    it('sets an image tag for every image the manifests use', () => {
      const used = new Set(
        manifests.flatMap((m) => {
          const flink = m.kind === 'FlinkDeployment' ? [spec<FlinkDeploymentSpec>(m).image] : [];
          const template = spec<Workload | undefined>(m)?.template;
          return [...flink, ...(template?.spec.containers.map((c) => c.image) ?? [])];
        }),
      );
      const named = kustomizations.flatMap(
        (file) => (parseFile(file)[0] as { images?: { name: string }[] }).images?.map((i) => i.name) ?? [],
      );
      expect([...new Set([...used].map((image) => image.split(':')[0]))].sort()).toEqual(
        [...new Set(named)].sort(),
      );
    });
  });

  describe('workloads', () => {
    it.each(deployments.map((d) => [label(d), d] as const))(
      '%s has HTTP liveness and readiness probes on a declared port, and resources',
      (_, d) => {
        for (const c of spec<Workload>(d).template.spec.containers) {
          const ports = (c.ports ?? []).flatMap((p) => [p.name, p.containerPort]);
          for (const probe of [c.livenessProbe, c.readinessProbe]) {
            expect(probe?.httpGet?.path).toMatch(/^\//);
            expect(ports).toContain(probe?.httpGet?.port);
          }
          expect(c.resources?.requests).toEqual(
            expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
          );
          expect(c.resources?.limits).toEqual(expect.objectContaining({ memory: expect.any(String) }));
        }
      },
    );

    it.each(
      manifests
        .filter((m) => spec<Workload | undefined>(m)?.template)
        .map((m) => [label(m), spec<Workload>(m).template.spec] as const),
    )('%s runs as non-root without privileges (pod security "restricted")', (_, pod) => {
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      for (const c of pod.containers) {
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
      }
    });

    it.each(APPS)('$app: 2 replicas, /health and /ready on port $port, read-only root, a PDB', (a) => {
      const d = deployments.find((m) => m.metadata.name === `riffle-${a.app}`);
      if (!d) throw new Error(`no Deployment riffle-${a.app}`);
      const workload = spec<Workload>(d);
      const [c] = workload.template.spec.containers;
      expect(workload.replicas).toBe(2);
      expect(c.image).toMatch(new RegExp(`^riffle-${a.app}:`));
      const port = c.ports?.find((p) => p.name === c.livenessProbe?.httpGet?.port)?.containerPort;
      expect(port).toBe(a.port);
      expect(containerEnvironment(c)[a.portVariable]).toBe(String(a.port));
      expect(c.livenessProbe?.httpGet?.path).toBe('/health');
      expect(c.readinessProbe?.httpGet?.path).toBe('/ready');
      expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);

      const pdbs = ofKind('PodDisruptionBudget').filter((p) => {
        const selector = spec<{ selector: { matchLabels: Record<string, string> } }>(p).selector.matchLabels;
        const labels = workload.template.metadata?.labels ?? {};
        return Object.entries(selector).every(([k, v]) => labels[k] === v);
      });
      expect(pdbs).toHaveLength(1);
    });

    it('exposes the api through a Service on its port', () => {
      const service = ofKind('Service').find((s) => s.metadata.name === 'riffle-api');
      const ports = spec<{ ports: { port: number }[] }>(service as Manifest).ports;
      expect(ports.map((p) => p.port)).toEqual([8080]);
    });

    it('never migrates in an app: only the Job runs the migrate image', () => {
      const migrating = riffleContainers().filter(({ container }) =>
        container.image.startsWith('riffle-migrate'),
      );
      expect(migrating.map(({ owner }) => owner.kind)).toEqual(['Job']);
      expect(spec<Workload>(migrating[0].owner).template.spec.restartPolicy).toBe('Never');
    });
  });

  describe('configuration', () => {
    it('sets only variables libs/config knows', () => {
      const set = new Set<string>();
      for (const { container } of riffleContainers()) {
        Object.keys(containerEnvironment(container)).forEach((name) => set.add(name));
      }
      for (const m of [...configMaps, ...secrets].filter((m) => m.metadata.name.startsWith('riffle-'))) {
        Object.keys((m.body.data ?? m.body.stringData ?? {}) as Json).forEach((name) => set.add(name));
      }
      expect(knownVariables.size).toBeGreaterThan(20);
      expect([...set].filter((name) => !knownVariables.has(name))).toEqual([]);
    });

    it.each(riffleContainers().map(({ owner, container }) => [label(owner), container] as const))(
      '%s: its environment passes every config concern',
      (_, container) => {
        const env = containerEnvironment(container);
        // the Secret template's placeholder key is refused on purpose: a real one stands in for it here
        if (env.RIFFLE_SECRETS_KEY === 'CHANGE_ME')
          env.RIFFLE_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
        expect(env.DATABASE_URL).toMatch(/^postgres:\/\//);
        for (const concern of concerns) expect(() => concern.load(env)).not.toThrow();
      },
    );

    it('keeps secrets out of the ConfigMap and placeholders in the Secret template', () => {
      for (const m of configMaps) {
        expect(Object.keys(m.body.data as Json)).not.toEqual(
          expect.arrayContaining([expect.stringMatching(/^(DATABASE_URL|REDIS_URL)$/)]),
        );
      }
      expect(secrets.map((s) => s.file)).toEqual(['secret.template.yaml']);
      for (const value of Object.values(secrets[0].body.stringData as Record<string, string>)) {
        expect(value).toContain('CHANGE_ME');
      }
    });
  });

  describe('Flink cells', () => {
    it('has at least one cell', () => expect(flinkDeployments.length).toBeGreaterThan(0));

    it.each(flinkDeployments.map((f) => [f.metadata.name, f] as const))(
      '%s is a session cluster (no job) with the adaptive scheduler and durable state',
      (_, f) => {
        const s = spec<FlinkDeploymentSpec>(f);
        expect(s.job).toBeUndefined();
        expect(s.flinkVersion).toBe(`v${FLINK_VERSION.split('.').slice(0, 2).join('_')}`);
        expect(s.image).toMatch(/^riffle-flink:/);
        expect(s.taskManager.replicas).toBeGreaterThan(0);
        expect(s.flinkConfiguration).toMatchObject({
          'jobmanager.scheduler': 'adaptive',
          'execution.checkpointing.dir': expect.stringMatching(/^[a-z0-9]+:\/\//),
          'execution.checkpointing.savepoint-dir': expect.stringMatching(/^[a-z0-9]+:\/\//),
          'high-availability.type': 'kubernetes',
        });
      },
    );

    it.each(flinkDeployments.map((f) => [f.metadata.name, f] as const))(
      '%s has its own SQL Gateway Deployment and Service, pointed at the cell’s JobManager',
      (name, f) => {
        const gateway = deployments.find((d) => d.metadata.name === `${name}-sql-gateway`);
        if (!gateway) throw new Error(`no Deployment ${name}-sql-gateway`);
        const [c] = spec<Workload>(gateway).template.spec.containers;
        const line = [...(c.command ?? []), ...(c.args ?? [])];
        expect(line.slice(0, 2)).toEqual(['sql-gateway.sh', 'start-foreground']);
        const options = Object.fromEntries(
          line
            .filter((a) => a.startsWith('-D'))
            .map((a) => a.slice(2).split(/=(.*)/s, 2) as [string, string]),
        );
        expect(options).toMatchObject({
          'sql-gateway.endpoint.rest.address': expect.any(String),
          'sql-gateway.endpoint.rest.port': '8083',
          'rest.address': `${name}-rest`,
          'rest.port': '8081',
        });
        expect(c.image).toBe(spec<FlinkDeploymentSpec>(f).image);
        // job settings travel with the jobs the gateway submits: they must match the cell's
        const cellConfig = spec<FlinkDeploymentSpec>(f).flinkConfiguration;
        for (const [key, value] of Object.entries(options)) {
          if (key in cellConfig) expect([key, value]).toEqual([key, String(cellConfig[key])]);
        }
        expect(options['execution.checkpointing.interval']).toBe(
          cellConfig['execution.checkpointing.interval'],
        );

        const service = ofKind('Service').find((s) => s.metadata.name === `${name}-sql-gateway`);
        const serviceSpec = spec<{ selector: Record<string, string>; ports: { port: number }[] }>(
          service as Manifest,
        );
        const podLabels = spec<Workload>(gateway).template.metadata?.labels ?? {};
        expect(Object.entries(serviceSpec.selector).every(([k, v]) => podLabels[k] === v)).toBe(true);
        expect(serviceSpec.ports.map((p) => p.port)).toEqual([8083]);
      },
    );

    it('points the apps at a cell’s JobManager REST service and SQL Gateway', () => {
      const data = configMaps.find((m) => m.metadata.name === 'riffle-config')?.body.data as Record<
        string,
        string
      >;
      const cells = flinkDeployments.map((f) => f.metadata.name);
      expect(cells.map((cell) => `http://${cell}-rest:8081`)).toContain(data.FLINK_REST_URL);
      expect(cells.map((cell) => `http://${cell}-sql-gateway:8083`)).toContain(data.FLINK_SQL_GATEWAY_URL);
    });
  });

  describe('network policies', () => {
    const policies = ofKind('NetworkPolicy').map((p) => spec<NetworkPolicySpec>(p));
    const rulesFor = (direction: 'Ingress' | 'Egress', labels: Record<string, string>) =>
      policies
        .filter((p) => (p.policyTypes ?? ['Ingress', ...(p.egress ? ['Egress'] : [])]).includes(direction))
        .filter((p) => selects(p.podSelector, labels))
        .flatMap((p) => (direction === 'Ingress' ? p.ingress : p.egress) ?? []);
    // a cell's pods: JobManager and TaskManagers carry the podTemplate's labels plus the operator's
    // (StandaloneKubernetesUtils.getCommonLabels in flink-kubernetes-operator), the gateway its own
    const cellPods = flinkDeployments.flatMap((f) => {
      const s = spec<FlinkDeploymentSpec>(f);
      const type = s.mode === 'standalone' ? 'flink-standalone-kubernetes' : 'flink-native-kubernetes';
      const flink = (component: string) => ({
        ...s.podTemplate?.metadata?.labels,
        type,
        app: f.metadata.name,
        component,
      });
      const gateway = deployments.find((d) => d.metadata.name === `${f.metadata.name}-sql-gateway`);
      const gatewayLabels = spec<Workload>(gateway as Manifest).template.metadata?.labels ?? {};
      return [
        [`${f.metadata.name} jobmanager`, 8081, flink('jobmanager')],
        [`${f.metadata.name} taskmanager`, 8081, flink('taskmanager')],
        [`${f.metadata.name}-sql-gateway`, 8083, gatewayLabels],
      ] as [string, number, Record<string, string>][];
    });
    const appPods = manifests
      .filter((m) => spec<Workload | undefined>(m)?.template && !m.metadata.name.endsWith('-sql-gateway'))
      .map((m) => [m.metadata.name, spec<Workload>(m).template.metadata?.labels ?? {}] as const);
    const [namespace] = ofKind('Namespace');
    const namespaceLabels = {
      ...namespace.metadata.labels,
      'kubernetes.io/metadata.name': namespace.metadata.name,
    };
    /** whether a rule admits a pod of this namespace with these labels (ipBlocks aside) */
    const admits = (rule: NetworkPolicyRule, labels: Record<string, string>) =>
      [...(rule.from ?? []), ...(rule.to ?? [])].some(
        (peer) =>
          !peer.ipBlock &&
          selects(peer.namespaceSelector ?? {}, namespaceLabels) &&
          selects(peer.podSelector ?? {}, labels),
      );

    it.each(cellPods)(
      '%s takes ingress from Flink pods, and from the api and scheduler only on %d',
      (_, port, labels) => {
        const rules = rulesFor('Ingress', labels);
        expect(rules.every((r) => r.from?.length && r.from.every((peer) => !peer.ipBlock))).toBe(true);
        const apps = appPods.filter(([, app]) => rules.some((r) => admits(r, app)));
        expect(apps.map(([name]) => name).sort()).toEqual(['riffle-api', 'riffle-scheduler']);
        for (const rule of rules.filter((r) => apps.some(([, app]) => admits(r, app)))) {
          expect(rule.ports).toEqual([{ protocol: 'TCP', port }]);
        }
        // peers in other namespaces (the Flink operator) only on the JobManager REST port
        for (const rule of rules.filter((r) => r.from?.some((peer) => peer.namespaceSelector))) {
          expect(rule.ports).toEqual([{ protocol: 'TCP', port: 8081 }]);
        }
        for (const [, , peer] of cellPods) expect(rules.some((r) => admits(r, peer) && !r.ports)).toBe(true);
      },
    );

    it.each(cellPods)(
      '%s egress: no Riffle app, no private address but the Kubernetes API',
      (_, _port, labels) => {
        const rules = rulesFor('Egress', labels);
        expect(rules.every((r) => r.to?.length)).toBe(true);
        expect(appPods.filter(([, app]) => rules.some((r) => admits(r, app)))).toEqual([]);
        const blocks = rules.flatMap((r) =>
          (r.to ?? []).flatMap((p) => (p.ipBlock ? [{ ...p.ipBlock, r }] : [])),
        );
        const internet = blocks.filter((b) => b.cidr === '0.0.0.0/0');
        expect(internet).toHaveLength(1);
        expect(internet[0].except).toEqual(expect.arrayContaining(PRIVATE_RANGES));
        for (const block of blocks.filter((b) => b.cidr !== '0.0.0.0/0')) {
          expect([block.cidr, block.r.ports?.map((p) => p.port)]).toEqual([block.cidr, [443, 6443]]);
        }
      },
    );
  });
});
