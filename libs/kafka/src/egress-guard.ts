import { lookup as dnsLookup } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { EgressGuard } from '@riffle/application';
import { decideEgress, type EgressPolicy, type Endpoint, RiffleError } from '@riffle/domain';
import type { ISocketFactory } from 'kafkajs';
import { Agent, buildConnector } from 'undici';

type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = (host) =>
  new Promise((done, fail) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? fail(error) : done(addresses.map((a) => a.address)),
    ),
  );

const RESOLVE_TIMEOUT_MS = 3_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error('name resolution timed out')), RESOLVE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const egressRefused = (endpoint: Endpoint): RiffleError =>
  new RiffleError(
    'EGRESS_NOT_ALLOWED',
    'invalid',
    `Riffle does not connect to ${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}: ` +
      'only public addresses are reachable, unless the operator allows more (EGRESS_ALLOW).',
  );

/**
 * The egress policy at registration: resolves each endpoint a tenant gave and refuses it unless every
 * address is allowed. A name that does not resolve is refused the same way, so the answer never tells
 * which internal names exist.
 */
export class DnsEgressGuard extends EgressGuard {
  constructor(
    private readonly policy: EgressPolicy,
    private readonly resolve: Resolve = resolveAll,
  ) {
    super();
  }

  async check(endpoints: readonly Endpoint[]): Promise<void> {
    // all at once, each within RESOLVE_TIMEOUT_MS: a slow name cannot hold the request for long
    const resolved = await Promise.all(
      endpoints.map((endpoint) =>
        net.isIP(endpoint.host) ? [endpoint.host] : withTimeout(this.resolve(endpoint.host)).catch(() => []),
      ),
    );
    endpoints.forEach((endpoint, i) => {
      if (!decideEgress({ ...endpoint, addresses: resolved[i]! }, this.policy).allowed)
        throw egressRefused(endpoint);
    });
  }
}

/**
 * A `lookup` for net/tls connect that resolves, checks every address against the policy and only then
 * hands them over: the check holds for the address actually connected to, so a name that resolved to a
 * public address at registration and to 127.0.0.1 later (DNS rebinding) is still refused.
 */
export function egressLookup(policy: EgressPolicy, port: number): net.LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, resolved) => {
      if (error) return callback(error, '', 4);
      const addresses = resolved as unknown as { address: string; family: number }[];
      if (
        !decideEgress({ host: hostname, port, addresses: addresses.map((a) => a.address) }, policy).allowed
      ) {
        return callback(egressRefused({ host: hostname, port }) as unknown as NodeJS.ErrnoException, '', 4);
      }
      if ((options as { all?: boolean }).all) {
        return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
      }
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** an IP literal skips `lookup` in net.connect, so it is decided here */
function literalRefused(policy: EgressPolicy, host: string, port: number): RiffleError | undefined {
  if (!net.isIP(host)) return undefined;
  return decideEgress({ host, port, addresses: [host] }, policy).allowed
    ? undefined
    : egressRefused({ host, port });
}

/**
 * kafkajs sockets under the policy: bootstrap brokers and every broker the cluster's metadata advertises,
 * so a tenant's broker cannot send Riffle to an internal address through its advertised listeners.
 */
export function egressSocketFactory(policy: EgressPolicy): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const refused = literalRefused(policy, host, port);
    if (refused) {
      const socket = new net.Socket();
      process.nextTick(() => socket.destroy(refused));
      return socket;
    }
    const lookup = egressLookup(policy, port);
    const socket = ssl
      ? tls.connect(
          { host, port, lookup, ...(net.isIP(host) ? {} : { servername: host }), ...ssl },
          onConnect,
        )
      : net.connect({ host, port, lookup }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

/** an HTTP dispatcher (undici, what fetch runs on) that connects only where the policy allows */
export function egressDispatcher(policy: EgressPolicy): Agent {
  return new Agent({
    connect: (options, callback) => {
      const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      const refused = literalRefused(policy, host, port);
      if (refused) return callback(refused, null);
      return buildConnector({ lookup: egressLookup(policy, port) } as buildConnector.BuildOptions)(
        options,
        callback,
      );
    },
  });
}
