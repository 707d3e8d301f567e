export * from './authenticate-api-key.use-case';
export * from './create-tenant.use-case';
export * from './credentials';
export * from './identity.ports';
export * from './principal';
export * from './create-api-key.use-case';
export * from './create-environment.use-case';
export * from './access.use-cases';
