import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiTags } from '@nestjs/swagger';
import { type ComputePoolRecord, ComputePools, type Principal } from '@riffle/application';
import { CurrentPrincipal, RequirePermission } from '../auth/api-key.guard';

const present = (p: ComputePoolRecord) => ({
  api_version: 'fcpm/v2',
  kind: 'ComputePool',
  id: p.id,
  metadata: {
    self: `/fcpm/v2/compute-pools/${p.id}`,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    resource_version: String(p.resourceVersion),
  },
  spec: {
    display_name: p.displayName,
    max_cfu: p.maxCfu,
    isolation: p.isolation,
    default_pool: p.defaultPool,
    environment: { id: p.environmentId },
  },
  status: { phase: p.phase, current_cfu: p.currentCfu },
});

type PoolBody = Parameters<ComputePools['create']>[1];

/** A pool's environment comes from its body or `?environment=`; the use case checks the pool is in it. */
@ApiTags('compute pools')
@ApiBasicAuth()
@Controller('fcpm/v2/compute-pools')
export class ComputePoolsController {
  constructor(private readonly pools: ComputePools) {}

  @Post()
  @RequirePermission('pool.manage', (r) => (r.body as PoolBody)?.spec?.environment?.id)
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: PoolBody) {
    return present(await this.pools.create(principal, body));
  }

  @Get()
  @RequirePermission('pool.read', (r) => r.query.environment)
  async list(@CurrentPrincipal() principal: Principal, @Query('environment') environment: unknown) {
    const pools = await this.pools.list(principal, environment);
    return {
      api_version: 'fcpm/v2',
      kind: 'ComputePoolList',
      metadata: { next: null },
      data: pools.map(present),
    };
  }

  @Get(':id')
  @RequirePermission('pool.read', (r) => r.query.environment)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query('environment') environment: unknown,
  ) {
    return present(await this.pools.get(principal, id, environment));
  }

  @Patch(':id')
  @RequirePermission('pool.manage', (r) => r.query.environment)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: PoolBody,
    @Query('environment') environment: unknown,
  ) {
    return present(await this.pools.update(principal, id, body, environment));
  }

  @Delete(':id')
  @RequirePermission('pool.manage', (r) => r.query.environment)
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query('environment') environment: unknown,
  ): Promise<void> {
    await this.pools.delete(principal, id, environment);
  }
}
