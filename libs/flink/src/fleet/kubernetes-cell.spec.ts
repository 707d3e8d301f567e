import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { schemaFileName } from '../../../../deploy/kubernetes/schemas/vendor-schemas';
import { cellEndpoints, renderKubernetesCell } from './kubernetes-cell';

const KUBERNETES = join(__dirname, '../../../../deploy/kubernetes');

describe('renderKubernetesCell', () => {
  it('renders exactly the cell checked in as deploy/kubernetes/flink-cell-0.yaml', () => {
    const checkedIn = parseAllDocuments(readFileSync(join(KUBERNETES, 'flink-cell-0.yaml'), 'utf8')).map(
      (d) => d.toJSON(),
    );
    const rendered = renderKubernetesCell({
      cellId: 'cell-0',
      image: 'riffle-flink:0.1.0',
      stateUri: 's3://riffle-flink-state',
      slotsPerTaskManager: 4,
      taskManagers: 2,
    });
    expect(rendered).toEqual(checkedIn);
  });

  it('renders cells that validate against the vendored Kubernetes and FlinkDeployment schemas', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    addFormats(ajv);
    const schemas = join(KUBERNETES, 'schemas');
    for (const file of readdirSync(schemas).filter((f) => f.endsWith('.json')))
      ajv.addSchema(JSON.parse(readFileSync(join(schemas, file), 'utf8')) as object);
    const cell = renderKubernetesCell({
      cellId: 'cell-7',
      image: 'registry.example/riffle-flink:1.2.3',
      stateUri: 'gs://bucket/flink',
      slotsPerTaskManager: 8,
      taskManagers: 3,
      dedicatedPoolId: 'lfcp-abc123',
    });
    for (const object of cell) {
      const validate = ajv.getSchema(schemaFileName(object.apiVersion, object.kind));
      if (!validate) throw new Error(`no vendored schema for ${object.apiVersion} ${object.kind}`);
      expect([object.kind, validate(object) ? [] : validate.errors]).toEqual([object.kind, []]);
    }
    const [flinkDeployment] = cell as unknown as [
      {
        metadata: { name: string; labels: object };
        spec: { taskManager: { replicas: number }; flinkConfiguration: Record<string, string> };
      },
    ];
    expect(flinkDeployment.metadata.name).toBe('riffle-cell-7');
    expect(flinkDeployment.metadata.labels).toMatchObject({ 'riffle.dev/dedicated-pool': 'lfcp-abc123' });
    expect(flinkDeployment.spec.taskManager.replicas).toBe(3);
    expect(flinkDeployment.spec.flinkConfiguration['taskmanager.numberOfTaskSlots']).toBe('8');
    expect(flinkDeployment.spec.flinkConfiguration['execution.checkpointing.dir']).toBe(
      'gs://bucket/flink/cell-7/checkpoints',
    );
    expect(cellEndpoints('cell-7', 'riffle')).toEqual({
      restUrl: 'http://riffle-cell-7-rest.riffle.svc:8081',
      gatewayUrl: 'http://riffle-cell-7-sql-gateway.riffle.svc:8083',
    });
  });
});
