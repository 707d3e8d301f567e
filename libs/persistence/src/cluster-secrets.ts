import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Registered clusters' credentials at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * RIFFLE_SECRETS_KEY, a fresh IV per value, stored as `v1.<iv>.<tag>.<ciphertext>` (base64url). The
 * cluster's id is the additional data, so a value copied onto another cluster's row does not decrypt.
 */
export class ClusterSecrets {
  private readonly key: Buffer;

  constructor(secretsKey: Buffer) {
    this.key = Buffer.from(
      hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'riffle cluster credentials v1', 32),
    );
  }

  seal(clusterId: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(clusterId));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), sealed]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(clusterId: string, stored: string): string {
    const [version, iv, tag, sealed] = stored.split('.');
    if (version !== 'v1' || !iv || !tag || sealed === undefined)
      throw new Error(`the credentials of cluster ${clusterId} are not in a format this Riffle reads`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(clusterId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new Error(
        `the credentials of cluster ${clusterId} do not decrypt: RIFFLE_SECRETS_KEY is not the key they were stored with`,
      );
    }
  }
}
