import { Controller, Get, Header, Inject, SetMetadata } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PUBLIC_ROUTE } from './readiness';

/**
 * Prometheus metrics: one registry per app, every series prefixed `riffle_`. Names are part of the
 * operations contract (dashboards and alerts use them): add, never rename.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry, prefix: 'riffle_' });
  }

  counter(name: string, help: string, labelNames: string[] = []) {
    return new Counter({ name: `riffle_${name}`, help, labelNames, registers: [this.registry] });
  }

  histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]) {
    return new Histogram({
      name: `riffle_${name}`,
      help,
      labelNames,
      registers: [this.registry],
      ...(buckets ? { buckets } : {}),
    });
  }

  /** a gauge whose values are read when Prometheus scrapes (e.g. from Postgres or Redis) */
  gaugeFrom(
    name: string,
    help: string,
    labelNames: string[],
    read: () => Promise<{ labels: Record<string, string>; value: number }[]>,
  ) {
    return new Gauge({
      name: `riffle_${name}`,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { labels, value } of await read().catch(() => [])) this.set(labels, value);
      },
    });
  }
}

/** `GET /metrics` in the Prometheus text format (scraped on the internal network, like /health) */
@ApiTags('health')
@SetMetadata(PUBLIC_ROUTE, true)
@Controller()
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
