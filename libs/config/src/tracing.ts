import { z } from 'zod';
import { defineConfig, httpUrl } from './define-config';

/**
 * OpenTelemetry traces (DESIGN §8), the same in every app. `none` (the default) installs nothing: spans
 * are no-ops and cost next to nothing. `console` prints finished spans on stdout; `otlp` sends them in
 * batches over OTLP/HTTP to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` (a collector, Jaeger, Tempo…).
 */
export const tracingConfig = defineConfig(
  'tracing',
  {
    OTEL_TRACES_EXPORTER: z
      .enum(['none', 'console', 'otlp'], { message: 'must be none, console or otlp' })
      .default('none'),
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('http://127.0.0.1:4318'),
    /** default `riffle-<app>` */
    OTEL_SERVICE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores')
      .optional(),
    /** the share of new traces recorded; a caller's sampled `traceparent` is always followed */
    OTEL_TRACES_SAMPLER_ARG: z.coerce
      .number({ message: 'must be a number between 0 and 1' })
      .min(0, 'must be between 0 and 1')
      .max(1, 'must be between 0 and 1')
      .default(1),
  },
  (v) => ({
    exporter: v.OTEL_TRACES_EXPORTER,
    otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: v.OTEL_SERVICE_NAME,
    sampleRatio: v.OTEL_TRACES_SAMPLER_ARG,
  }),
);
export type TracingOptions = ReturnType<typeof tracingConfig.load>;
