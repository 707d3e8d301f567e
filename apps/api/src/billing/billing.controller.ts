import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiTags } from '@nestjs/swagger';
import {
  type BillingExport,
  BillingExports,
  ListCosts,
  type Principal,
  RequestBillingExport,
} from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequirePermission } from '../auth/api-key.guard';

/** query parameters arrive as strings, arrays (repeated) or objects (a[b]=c): only one string is a value */
function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new RiffleError('INVALID_FIELD', 'invalid', `${name} may be given once.`);
  return value;
}

function pageSize(value: unknown): number {
  const text = single(value, 'page_size');
  const size = text === undefined ? 100 : Number(text);
  if (!Number.isInteger(size) || size < 1 || size > 1000)
    throw new RiffleError('INVALID_PAGE_SIZE', 'invalid', 'page_size must be a whole number from 1 to 1000.');
  return size;
}

const presentExport = (e: BillingExport) => ({
  api_version: 'billing/v1',
  kind: 'Export',
  id: e.id,
  metadata: {
    self: `/billing/v1/exports/${e.id}`,
    created_at: e.createdAt.toISOString(),
  },
  spec: { start_date: e.startDate, end_date: e.endDate, format: e.format, group_by: e.granularity },
  status: {
    phase: e.phase,
    detail: e.detail,
    lines: e.lines,
    bytes: e.bytes,
    sha256: e.sha256,
    completed_at: e.completedAt?.toISOString() ?? null,
    download: e.phase === 'COMPLETED' ? `/billing/v1/exports/${e.id}/download` : null,
  },
});

const body = (value: unknown): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RiffleError('INVALID_BODY', 'invalid', 'The body must be a JSON object.');
  return value as Record<string, unknown>;
};

const optionalString = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new RiffleError('INVALID_FIELD', 'invalid', `${name} must be a string.`);
  return value;
};

/** Cost lines and exports of the caller's organization (Confluent's billing/v1 shape). */
@ApiTags('billing')
@ApiBasicAuth()
@Controller('billing/v1')
export class BillingController {
  constructor(
    private readonly costs: ListCosts,
    private readonly requestExport: RequestBillingExport,
    private readonly exports: BillingExports,
  ) {}

  @Get('costs')
  @RequirePermission('billing.read')
  async listCosts(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const page = await this.costs.execute({
      organizationId: principal.organizationId,
      startDate: single(query.start_date, 'start_date'),
      endDate: single(query.end_date, 'end_date'),
      groupBy: single(query.group_by, 'group_by'),
      pageSize: pageSize(query.page_size),
      pageToken: single(query.page_token, 'page_token'),
    });
    const next = page.nextToken
      ? `/billing/v1/costs?${new URLSearchParams({ ...(query as Record<string, string>), page_token: page.nextToken })}`
      : null;
    return { api_version: 'billing/v1', kind: 'CostList', metadata: { next }, data: page.lines };
  }

  @Post('exports')
  @RequirePermission('billing.read')
  @HttpCode(202)
  async createExport(
    @CurrentPrincipal() principal: Principal,
    @Body() input: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const fields = body(input);
    const created = await this.requestExport.execute({
      organizationId: principal.organizationId,
      startDate: optionalString(fields.start_date, 'start_date'),
      endDate: optionalString(fields.end_date, 'end_date'),
      format: optionalString(fields.format, 'format'),
      groupBy: optionalString(fields.group_by, 'group_by'),
    });
    void reply.header('Location', `/billing/v1/exports/${created.id}`);
    return presentExport(created);
  }

  @Get('exports')
  @RequirePermission('billing.read')
  async listExports(@CurrentPrincipal() principal: Principal) {
    const list = await this.exports.list(principal.organizationId);
    return { api_version: 'billing/v1', kind: 'ExportList', data: list.map(presentExport) };
  }

  @Get('exports/:id')
  @RequirePermission('billing.read')
  async getExport(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return presentExport(await this.exports.get(principal.organizationId, id));
  }

  @Get('exports/:id/download')
  @RequirePermission('billing.read')
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { export: found, body: stream } = await this.exports.download(principal.organizationId, id);
    void reply.header(
      'Content-Type',
      found.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    );
    void reply.header('Content-Disposition', `attachment; filename="${found.id}.${found.format}"`);
    if (found.bytes !== null) void reply.header('Content-Length', String(found.bytes));
    if (found.sha256)
      void reply.header('Digest', `sha-256=${Buffer.from(found.sha256, 'hex').toString('base64')}`);
    await reply.send(stream);
  }
}
