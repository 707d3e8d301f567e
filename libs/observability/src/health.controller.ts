import { Controller, Get, HttpCode, Inject, type OnModuleDestroy, Res, SetMetadata } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  checkReadiness,
  DEPENDENCY_PROBES,
  type DependencyProbe,
  PUBLIC_ROUTE,
  type ReadinessReport,
  SHUTTING_DOWN,
} from './readiness';
import type { FastifyReply } from 'fastify';

@ApiTags('health')
/** Liveness and readiness, the same in every app. */
@SetMetadata(PUBLIC_ROUTE, true)
@Controller()
export class HealthController implements OnModuleDestroy {
  private draining = false;

  constructor(@Inject(DEPENDENCY_PROBES) private readonly probes: DependencyProbe[]) {}

  /** shutdown has begun: report not ready from now on, so no new work is routed here */
  drain(): void {
    this.draining = true;
  }

  /** Nest lifecycle: the first hook of `app.close()` */
  onModuleDestroy(): void {
    this.drain();
  }

  /** liveness: the process serves HTTP; says nothing about dependencies */
  @Get('health')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is alive.' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** readiness: every dependency answers; 503 with the failing ones, or while shutting down, otherwise */
  @Get('ready')
  @ApiOkResponse({ description: 'Every dependency answers.' })
  @ApiServiceUnavailableResponse({
    description: 'At least one dependency is down (see `dependencies`), or the app is shutting down.',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = this.draining ? SHUTTING_DOWN : await checkReadiness(this.probes);
    void reply.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
