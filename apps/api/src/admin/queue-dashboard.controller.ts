import { Controller, Get, Next, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { RequirePermission } from '../auth/api-key.guard';
import { PlatformOperatorGuard } from './platform-operator.guard';
import { QueueDashboard } from './queue-dashboard';

/**
 * GET /admin/queues: the BullMQ dashboard, for the platform operator's OrgAdmins (`operations.read`
 * plus PlatformOperatorGuard). Browsers authenticate like any client: HTTP Basic with an API key id
 * and secret (a 401 carries `WWW-Authenticate: Basic`, so the browser asks for them). Only GET is
 * routed: the dashboard is read-only, anything else is a 404.
 */
@ApiExcludeController()
@Controller('admin/queues')
@UseGuards(PlatformOperatorGuard)
export class QueueDashboardController {
  constructor(private readonly dashboard: QueueDashboard) {}

  @Get(['', '*path'])
  @RequirePermission('operations.read')
  serve(@Req() request: Request, @Res() response: Response, @Next() next: NextFunction): void {
    this.dashboard.handle(request, response, next);
  }
}
