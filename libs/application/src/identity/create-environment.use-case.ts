import { RiffleError } from '@riffle/domain';
import type { KafkaClusterRepository } from '../catalog/catalog.ports';
import { newLogicalCluster } from '../catalog/logical-clusters';
import { newResourceId } from './credentials';
import { type EnvironmentRecord, IdentityRepository } from './identity.ports';
import type { Principal } from './principal';

/** An environment, usable at once: its default database is a logical cluster of its own (`main`). */
export class CreateEnvironment {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly clusters: KafkaClusterRepository,
  ) {}

  async execute(principal: Principal, displayName: unknown): Promise<EnvironmentRecord> {
    if (typeof displayName !== 'string' || !/^[\p{L}\p{N} _.-]{1,128}$/u.test(displayName)) {
      throw new RiffleError(
        'INVALID_DISPLAY_NAME',
        'invalid',
        'display_name must be 1 to 128 letters, digits, spaces, dots, dashes or underscores.',
      );
    }
    try {
      const environment = await this.identities.createEnvironment({
        id: newResourceId('env'),
        organizationId: principal.organizationId,
        name: displayName,
      });
      await this.clusters.insert(newLogicalCluster(environment.organizationId, environment.id));
      return environment;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new RiffleError(
          'ENVIRONMENT_EXISTS',
          'conflict',
          `An environment named "${displayName}" already exists.`,
        );
      }
      throw error;
    }
  }
}
