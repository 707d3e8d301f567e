import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiTags } from '@nestjs/swagger';
import {
  CreateApiKey,
  CreateEnvironment,
  IdentityRepository,
  ManageApiKeys,
  ManageRoleBindings,
  type Principal,
  type RoleBindingRecord,
} from '@riffle/application';
import { CurrentPrincipal, RequirePermission } from '../auth/api-key.guard';

const environmentResource = (e: { id: string; name: string; createdAt: Date }) => ({
  api_version: 'org/v2',
  kind: 'Environment',
  id: e.id,
  display_name: e.name,
  metadata: { self: `/org/v2/environments/${e.id}`, created_at: e.createdAt.toISOString() },
});

const roleBindingResource = (b: RoleBindingRecord) => ({
  api_version: 'iam/v2',
  kind: 'RoleBinding',
  id: b.id,
  principal: b.serviceAccountId,
  role_name: b.role,
  environment_id: b.environmentId,
  metadata: { self: `/iam/v2/role-bindings/${b.id}`, created_at: b.createdAt.toISOString() },
});

const singleQuery = (value: unknown) => (typeof value === 'string' ? value : undefined);

@ApiTags('organization')
@ApiBasicAuth()
@Controller()
export class IdentityController {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly createEnvironment: CreateEnvironment,
    private readonly createApiKey: CreateApiKey,
    private readonly apiKeys: ManageApiKeys,
    private readonly roleBindings: ManageRoleBindings,
  ) {}

  @Post('org/v2/environments')
  @RequirePermission('environment.create')
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: { display_name?: unknown }) {
    return environmentResource(await this.createEnvironment.execute(principal, body?.display_name));
  }

  @Get('org/v2/environments')
  @RequirePermission('environment.read')
  async list(@CurrentPrincipal() principal: Principal) {
    const environments = await this.identities.listEnvironments(principal.organizationId);
    return { api_version: 'org/v2', kind: 'EnvironmentList', data: environments.map(environmentResource) };
  }

  /** the secret is shown once, in this answer; only its SHA-256 is kept */
  @Post('iam/v2/api-keys')
  @RequirePermission('api-key.manage')
  @HttpCode(201)
  async createKey(
    @CurrentPrincipal() principal: Principal,
    @Body() body: { spec?: { description?: unknown; owner?: { id?: unknown; display_name?: unknown } } },
  ) {
    const key = await this.createApiKey.execute(principal, {
      serviceAccountId: body?.spec?.owner?.id,
      serviceAccountName: body?.spec?.owner?.display_name,
      description: body?.spec?.description,
    });
    return {
      api_version: 'iam/v2',
      kind: 'ApiKey',
      id: key.id,
      spec: { secret: key.secret, owner: { id: key.serviceAccountId, kind: 'ServiceAccount' } },
    };
  }

  @Get('iam/v2/api-keys')
  @RequirePermission('api-key.manage')
  async listKeys(@CurrentPrincipal() principal: Principal) {
    const keys = await this.apiKeys.list(principal);
    return {
      api_version: 'iam/v2',
      kind: 'ApiKeyList',
      data: keys.map((k) => ({
        api_version: 'iam/v2',
        kind: 'ApiKey',
        id: k.id,
        spec: { description: k.description, owner: { id: k.serviceAccountId, kind: 'ServiceAccount' } },
        metadata: { created_at: k.createdAt.toISOString(), revoked_at: k.revokedAt?.toISOString() ?? null },
      })),
    };
  }

  /** revocation is immediate: every request reads the key again */
  @Delete('iam/v2/api-keys/:id')
  @RequirePermission('api-key.manage')
  @HttpCode(204)
  async revokeKey(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.apiKeys.revoke(principal, id);
  }

  @Post('iam/v2/role-bindings')
  @RequirePermission('role-binding.manage', (r) => (r.body as { environment_id?: unknown })?.environment_id)
  @HttpCode(201)
  async bind(
    @CurrentPrincipal() principal: Principal,
    @Body() body: { principal?: unknown; role_name?: unknown; environment_id?: unknown },
  ) {
    return roleBindingResource(await this.roleBindings.create(principal, body ?? {}));
  }

  @Get('iam/v2/role-bindings')
  @RequirePermission('role-binding.read', (r) => r.query.environment_id)
  async listBindings(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const list = await this.roleBindings.list(principal, {
      serviceAccountId: singleQuery(query.principal),
      environmentId: singleQuery(query.environment_id),
    });
    return { api_version: 'iam/v2', kind: 'RoleBindingList', data: list.map(roleBindingResource) };
  }

  @Delete('iam/v2/role-bindings/:id')
  @RequirePermission('role-binding.manage')
  @HttpCode(204)
  async unbind(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.roleBindings.delete(principal, id);
  }
}
