import { z } from 'zod';
import { defineConfig } from './define-config';

const cellId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'cell ids are lowercase letters, digits and dashes');
const cellList = z.array(
  z.object({
    id: cellId,
    restUrl: z.url({ protocol: /^https?$/ }),
    gatewayUrl: z.url({ protocol: /^https?$/ }),
    dedicatedPoolId: z.string().optional(),
  }),
);
const ms = (fallback: number) => z.coerce.number().int().min(100).max(86_400_000).default(fallback);
const count = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * The Flink fleet the scheduler places statements on (DESIGN §5). `static`: the cells in FLINK_CELLS
 * (default: one cell, `cell-0`, at FLINK_REST_URL / FLINK_SQL_GATEWAY_URL); `local`: cells started and
 * stopped on this machine through the launcher; `kubernetes`: one session-mode FlinkDeployment per cell.
 */
export const fleetConfig = defineConfig(
  'fleet',
  {
    FLINK_FLEET: z.enum(['static', 'local', 'kubernetes']).default('static'),
    FLINK_CELLS: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw.trim() === '') return undefined;
        try {
          const parsed = cellList.safeParse(JSON.parse(raw));
          if (parsed.success && parsed.data.length > 0) return parsed.data;
          ctx.addIssue({
            code: 'custom',
            message: `must be a non-empty JSON array of {"id","restUrl","gatewayUrl"}${parsed.success ? '' : `: ${parsed.error.issues[0]?.message}`}`,
          });
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: 'must be JSON, e.g. [{"id":"cell-0","restUrl":"http://…","gatewayUrl":"http://…"}]',
          });
        }
        return z.NEVER;
      }),
    FLINK_FLEET_MAX_CELLS: count(4, 1_000),
    FLINK_FLEET_MAX_SLOTS_PER_CELL: count(16, 4_096),
    FLINK_FLEET_SLOTS_PER_TASKMANAGER: count(4, 256),
    FLINK_FLEET_IDLE_COOLDOWN_MS: ms(600_000),
    FLINK_CELL_PROBE_INTERVAL_MS: ms(5_000),
    FLINK_CELL_LOST_AFTER_MS: ms(30_000),
    FLINK_FLEET_LOCAL_COMMAND: z.string().min(1).default('npx tsx deploy/local/src/cli.ts'),
    KUBERNETES_API_URL: z.url({ protocol: /^https?$/ }).default('https://kubernetes.default.svc'),
    KUBERNETES_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9-]{1,63}$/)
      .default('riffle'),
    KUBERNETES_TOKEN_FILE: z.string().default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
    FLINK_CELL_IMAGE: z.string().min(1).default('riffle-flink:0.1.0'),
    FLINK_CELL_STATE_URI: z
      .string()
      .regex(/^[a-z0-9]+:\/\/\S+$/, 'must be a URI like s3://bucket/prefix')
      .default('s3://riffle-flink-state'),
  },
  (v) => ({
    provider: v.FLINK_FLEET,
    cells: v.FLINK_CELLS,
    maxCells: v.FLINK_FLEET_MAX_CELLS,
    maxSlotsPerCell: v.FLINK_FLEET_MAX_SLOTS_PER_CELL,
    slotsPerTaskManager: v.FLINK_FLEET_SLOTS_PER_TASKMANAGER,
    idleCoolDownMs: v.FLINK_FLEET_IDLE_COOLDOWN_MS,
    probeIntervalMs: v.FLINK_CELL_PROBE_INTERVAL_MS,
    lostAfterMs: v.FLINK_CELL_LOST_AFTER_MS,
    localCommand: v.FLINK_FLEET_LOCAL_COMMAND,
    kubernetes: {
      apiUrl: v.KUBERNETES_API_URL,
      namespace: v.KUBERNETES_NAMESPACE,
      tokenFile: v.KUBERNETES_TOKEN_FILE,
      image: v.FLINK_CELL_IMAGE,
      stateUri: v.FLINK_CELL_STATE_URI.replace(/\/$/, ''),
    },
  }),
);
export type FleetOptions = ReturnType<typeof fleetConfig.load>;
