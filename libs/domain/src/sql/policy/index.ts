export {
  ALLOWED_FORMATS,
  ALLOWED_HINT_OPTIONS,
  ALLOWED_SESSION_PROPERTIES,
  ALLOWED_TABLE_OPTIONS,
} from './allowed-properties';
export { checkSessionProperties, checkStatementPolicy } from './check-statement-policy';
export { constructNotSupported, SQL_POLICY_CODES, type SqlPolicyCode } from './policy-errors';
export type { StatementPolicyContext } from './statement-policy-context';
