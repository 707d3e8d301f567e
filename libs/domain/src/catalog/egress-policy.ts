import ipaddr from 'ipaddr.js';

/**
 * Where Riffle may connect on a tenant's behalf (a registered Kafka cluster's brokers, its schema
 * registry). Tenants name hosts; Riffle resolves them and connects from inside the platform's network, so
 * without a check a tenant could point Riffle at the platform's own Postgres, Redis, Flink REST or a cloud
 * metadata endpoint (server-side request forgery). Public addresses are allowed; loopback, link-local,
 * private, shared, reserved and the platform's own endpoints are not, unless the operator's allow-list
 * (`EGRESS_ALLOW`) names them.
 */
export interface Endpoint {
  host: string;
  port: number;
}

export type EgressAllowEntry =
  /** one exact endpoint, `host:port` (an IP or a name, compared as written and by its addresses) */
  | { kind: 'endpoint'; host: string; port: number }
  /** a network, `10.0.0.0/8` or `fd00::/8`: every port of every address in it */
  | { kind: 'network'; cidr: string; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

export interface EgressPolicy {
  allow: readonly EgressAllowEntry[];
  /** the platform's own endpoints (its Kafka, registry, Flink, database): refused unless named exactly */
  platform: readonly Endpoint[];
}

export type EgressDecision =
  { allowed: true } | { allowed: false; reason: 'platform' | 'not_public' | 'unresolved' | 'not_an_address' };

const HOST_PORT = /^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

/** `host:port` (or `[v6]:port`) with a port in 1-65535, else undefined */
export function parseEndpoint(raw: string): Endpoint | undefined {
  const match = HOST_PORT.exec(raw.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port };
}

/** `EGRESS_ALLOW`: comma-separated `host:port` endpoints and CIDR networks; throws what is wrong */
export function parseEgressAllow(raw: string): EgressAllowEntry[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry): EgressAllowEntry => {
      if (entry.includes('/')) {
        try {
          return { kind: 'network', cidr: entry, range: ipaddr.parseCIDR(entry) };
        } catch {
          throw new Error(`"${entry}" is not a CIDR network (e.g. 10.0.0.0/8)`);
        }
      }
      const endpoint = parseEndpoint(entry);
      if (!endpoint) throw new Error(`"${entry}" is neither host:port nor a CIDR network`);
      return { kind: 'endpoint', ...endpoint };
    });
}

/** an address in the public unicast space (what any tenant may reach) */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

const sameAddress = (a: string, b: string): boolean =>
  ipaddr.isValid(a) && ipaddr.isValid(b)
    ? ipaddr.process(a).toNormalizedString() === ipaddr.process(b).toNormalizedString()
    : a.toLowerCase() === b.toLowerCase();

function inNetwork(address: string, entry: Extract<EgressAllowEntry, { kind: 'network' }>): boolean {
  const parsed = ipaddr.process(address);
  return parsed.kind() === entry.range[0].kind() && parsed.match(entry.range);
}

/**
 * May Riffle connect to `target`, whose host resolved to `addresses`? Every address must pass, so a name
 * that resolves to one public and one internal address is refused. An exact allow-list endpoint (by name
 * or address) wins; the platform's own endpoints are refused next; then an address must be public or in
 * an allowed network.
 */
export function decideEgress(
  target: Endpoint & { addresses: readonly string[] },
  policy: EgressPolicy,
): EgressDecision {
  if (target.addresses.length === 0) return { allowed: false, reason: 'unresolved' };
  for (const address of target.addresses) {
    if (!ipaddr.isValid(address)) return { allowed: false, reason: 'not_an_address' };
    const named = (e: Endpoint) =>
      e.port === target.port && (sameAddress(e.host, target.host) || sameAddress(e.host, address));
    if (policy.allow.some((entry) => entry.kind === 'endpoint' && named(entry))) continue;
    if (policy.platform.some(named)) return { allowed: false, reason: 'platform' };
    const allowedNetwork = policy.allow.some((e) => e.kind === 'network' && inNetwork(address, e));
    if (!isPublicAddress(address) && !allowedNetwork) return { allowed: false, reason: 'not_public' };
  }
  return { allowed: true };
}

/**
 * A schema registry URL as Riffle will use it: http(s), a host, an optional port and path, nothing else.
 * A fragment, query or userinfo would let a tenant choose which path (or which host, to a lax parser)
 * Riffle's `${url}/subjects/…` calls reach, so they are refused rather than stripped.
 */
export function parseRegistryUrl(raw: string): { url: string; endpoint: Endpoint } | undefined {
  if (/[\s#?@\\]|%2e|%2f|%5c/i.test(raw) || raw.length > 2_048) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || url.hostname === '') return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: `${url.protocol}//${url.host}${path}`, endpoint: { host, port } };
}
