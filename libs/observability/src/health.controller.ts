import { Controller, Get, HttpCode, Inject, Res, SetMetadata } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { checkReadiness, DEPENDENCY_PROBES, type DependencyProbe, PUBLIC_ROUTE } from './readiness';
import type { Response } from 'express';

@ApiTags('health')
/** Liveness and readiness, the same in every app. */
@SetMetadata(PUBLIC_ROUTE, true)
@Controller()
export class HealthController {
  constructor(@Inject(DEPENDENCY_PROBES) private readonly probes: DependencyProbe[]) {}

  /** liveness: the process serves HTTP; says nothing about dependencies */
  @Get('health')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is alive.' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** readiness: every dependency answers; 503 with the failing ones otherwise */
  @Get('ready')
  @ApiOkResponse({ description: 'Every dependency answers.' })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency is down; see `dependencies`.' })
  async ready(@Res({ passthrough: true }) response: Response) {
    const report = await checkReadiness(this.probes);
    response.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
