import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBasicAuth, ApiTags } from '@nestjs/swagger';
import { CreateApiKey, CreateEnvironment, IdentityRepository, type Principal } from '@riffle/application';
import { CurrentPrincipal } from '../auth/api-key.guard';

const environmentResource = (e: { id: string; name: string; createdAt: Date }) => ({
  api_version: 'org/v2',
  kind: 'Environment',
  id: e.id,
  display_name: e.name,
  metadata: { self: `/org/v2/environments/${e.id}`, created_at: e.createdAt.toISOString() },
});

@ApiTags('organization')
@ApiBasicAuth()
@Controller()
export class IdentityController {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly createEnvironment: CreateEnvironment,
    private readonly createApiKey: CreateApiKey,
  ) {}

  @Post('org/v2/environments')
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: { display_name?: unknown }) {
    return environmentResource(await this.createEnvironment.execute(principal, body?.display_name));
  }

  @Get('org/v2/environments')
  async list(@CurrentPrincipal() principal: Principal) {
    const environments = await this.identities.listEnvironments(principal.organizationId);
    return { api_version: 'org/v2', kind: 'EnvironmentList', data: environments.map(environmentResource) };
  }

  /** the secret is shown once, in this answer; only its SHA-256 is kept */
  @Post('iam/v2/api-keys')
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
}
