import type { FastifyReply } from 'fastify';
import { HealthController } from './health.controller';
import { DependencyProbe } from './readiness';

class CountingProbe extends DependencyProbe {
  readonly name = 'postgres';
  calls = 0;

  async check(): Promise<void> {
    this.calls++;
  }
}

const response = () => {
  const res = { statusCode: 0, status: (code: number) => ((res.statusCode = code), res) };
  return res;
};

describe('HealthController readiness during shutdown', () => {
  it('is ready while running, 503 shutting_down once draining, without probing any more', async () => {
    const probe = new CountingProbe();
    const controller = new HealthController([probe]);
    const before = response();
    expect((await controller.ready(before as unknown as FastifyReply)).status).toBe('ready');
    expect(before.statusCode).toBe(200);

    controller.drain();
    const after = response();
    expect(await controller.ready(after as unknown as FastifyReply)).toEqual({
      status: 'shutting_down',
      dependencies: [],
    });
    expect(after.statusCode).toBe(503);
    expect(probe.calls).toBe(1);
  });

  it('drains as the first step of app.close() (onModuleDestroy)', async () => {
    const controller = new HealthController([new CountingProbe()]);
    controller.onModuleDestroy();
    const res = response();
    await controller.ready(res as unknown as FastifyReply);
    expect(res.statusCode).toBe(503);
  });
});
