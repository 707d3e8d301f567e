import { hash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 16 upper-case characters, like a managed service's key ids; public, appears in logs */
export function newApiKeyId(): string {
  return Array.from({ length: 16 }, () => KEY_ID_ALPHABET[randomInt(KEY_ID_ALPHABET.length)]).join('');
}

/** 256 random bits; only its SHA-256 is stored (a high-entropy secret needs no slow hash) */
export function newApiKeySecret(): string {
  return randomBytes(32).toString('base64url');
}

/** one-shot: checked on every authenticated request, where a Hash object's setup costs more than the hash */
export function sha256(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}

export function secretMatches(secret: string, stored: Buffer): boolean {
  const given = sha256(secret);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** short, lowercase, prefixed resource ids: env-…, sa-…, lkc-… */
export function newResourceId(prefix: 'env' | 'sa' | 'lkc' | 'lfcp' | 'rb'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export const newOrganizationId = (): string => randomUUID();
