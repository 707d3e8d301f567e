/**
 * DESIGN §7: who may do what. Roles are bound to service accounts at organization scope (every
 * environment) or at one environment's scope. The table below is the whole policy: the API guard asks
 * `isAllowed` for the permission a route declares, and docs/api.md's role table is this table.
 */
export const ROLE_NAMES = [
  'OrgAdmin',
  'EnvironmentAdmin',
  'FlinkAdmin',
  'FlinkDeveloper',
  'BillingAdmin',
  'Viewer',
] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const isRoleName = (value: unknown): value is RoleName =>
  typeof value === 'string' && (ROLE_NAMES as readonly string[]).includes(value);

export const PERMISSIONS = {
  /** create environments */
  'environment.create': ['OrgAdmin'],
  /** list environments (each role sees the organization's environments) */
  'environment.read': ROLE_NAMES,
  /** API keys and service accounts: create, list, revoke */
  'api-key.manage': ['OrgAdmin'],
  /** role bindings; an EnvironmentAdmin only within its environment */
  'role-binding.manage': ['OrgAdmin', 'EnvironmentAdmin'],
  'role-binding.read': ['OrgAdmin', 'EnvironmentAdmin'],
  /** register Kafka clusters (databases) */
  'cluster.manage': ['OrgAdmin', 'EnvironmentAdmin'],
  'cluster.read': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper', 'Viewer'],
  /** compute pools */
  'pool.manage': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin'],
  'pool.read': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper', 'Viewer'],
  /** create, stop, resume, delete statements */
  'statement.write': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper'],
  /** statements' specs, status and exceptions */
  'statement.read': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper', 'Viewer'],
  /** the rows a statement produced: data, not metadata */
  'statement.results': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper'],
  /** one statement's usage minutes */
  'statement.usage': [
    'OrgAdmin',
    'EnvironmentAdmin',
    'FlinkAdmin',
    'FlinkDeveloper',
    'BillingAdmin',
    'Viewer',
  ],
  /** tables (topics) of the environment's Kafka clusters; also what a statement's principal may read */
  'table.read': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper', 'Viewer'],
  /** what a statement's principal may write to (INSERT, CREATE/DROP TABLE) */
  'table.write': ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper'],
  /** costs and billing exports of the organization */
  'billing.read': ['OrgAdmin', 'BillingAdmin'],
  /** operational views such as the queue dashboard */
  'operations.read': ['OrgAdmin'],
} as const satisfies Record<string, readonly RoleName[]>;
export type Permission = keyof typeof PERMISSIONS;

/** permissions that only make sense for the whole organization: environment-scoped bindings never grant them */
const ORGANIZATION_ONLY = new Set<Permission>([
  'environment.create',
  'api-key.manage',
  'billing.read',
  'operations.read',
]);

export interface RoleBinding {
  role: RoleName;
  /** null = the whole organization */
  environmentId: string | null;
}

/**
 * Whether bindings grant `permission`: in `environmentId` when the action targets one environment,
 * organization-wide otherwise (then only organization-scoped bindings count).
 */
export function isAllowed(
  bindings: readonly RoleBinding[],
  permission: Permission,
  environmentId?: string,
): boolean {
  const roles: readonly RoleName[] = PERMISSIONS[permission];
  return bindings.some(
    (b) =>
      roles.includes(b.role) &&
      (b.environmentId === null ||
        (environmentId !== undefined &&
          b.environmentId === environmentId &&
          !ORGANIZATION_ONLY.has(permission))),
  );
}

/** the roles that grant a permission, for error messages and docs/api.md's role table */
export const rolesFor = (permission: Permission): readonly RoleName[] => PERMISSIONS[permission];
