import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

  @Get(['', '*'])
  @RequirePermission('operations.read')
  serve(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    // the headers set so far (X-Request-Id, rate limits) go out with the dashboard's response
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) reply.raw.setHeader(name, value);
    reply.hijack();
    this.dashboard.handle(request.raw, reply.raw);
  }
}
