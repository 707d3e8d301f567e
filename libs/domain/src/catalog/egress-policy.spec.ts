import fc from 'fast-check';
import {
  decideEgress,
  type EgressPolicy,
  parseEgressAllow,
  parseEndpoint,
  parseRegistryUrl,
} from './egress-policy';

const platform = [
  { host: '127.0.0.1', port: 9092 },
  { host: '10.0.0.5', port: 8081 },
];
const policy = (allow = ''): EgressPolicy => ({ allow: parseEgressAllow(allow), platform });
const decide = (host: string, port: number, addresses: string[], allow = '') =>
  decideEgress({ host, port, addresses }, policy(allow));

describe('decideEgress', () => {
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback, not 127.0.0.1', '127.8.9.10'],
    ['IPv6 loopback', '::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['unspecified (reaches this host)', '0.0.0.0'],
    ['link-local (cloud metadata)', '169.254.169.254'],
    ['IPv6 link-local', 'fe80::1'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.20.0.1'],
    ['private 192.168/16', '192.168.1.1'],
    ['unique local IPv6', 'fd00::1'],
    ['shared address space', '100.64.0.1'],
    ['multicast', '224.0.0.1'],
    ['broadcast', '255.255.255.255'],
  ])('refuses %s (%s)', (_, address) => {
    expect(decide('broker.example.com', 9999, [address])).toEqual({ allowed: false, reason: 'not_public' });
  });

  it('allows public addresses', () => {
    expect(decide('broker.example.com', 9092, ['93.184.216.34'])).toEqual({ allowed: true });
    expect(decide('broker.example.com', 9092, ['2606:2800:220:1::1'])).toEqual({ allowed: true });
  });

  it('refuses a name with one internal address among public ones, and a name that resolved to nothing', () => {
    expect(decide('mixed.example.com', 9092, ['93.184.216.34', '127.0.0.1']).allowed).toBe(false);
    expect(decide('nothing.example.com', 9092, [])).toEqual({ allowed: false, reason: 'unresolved' });
    expect(decide('x', 9092, ['not-an-ip'])).toEqual({ allowed: false, reason: 'not_an_address' });
  });

  it("refuses the platform's own endpoints even inside an allowed network, unless named exactly", () => {
    expect(decide('10.0.0.5', 8081, ['10.0.0.5'], '10.0.0.0/8')).toEqual({
      allowed: false,
      reason: 'platform',
    });
    expect(decide('10.0.0.5', 8082, ['10.0.0.5'], '10.0.0.0/8')).toEqual({ allowed: true });
    expect(decide('registry.internal', 8081, ['10.0.0.5'], '10.0.0.5:8081')).toEqual({ allowed: true });
    // the platform's Kafka reached through a name resolving to it
    expect(decide('localhost', 9092, ['127.0.0.1'])).toEqual({ allowed: false, reason: 'platform' });
  });

  it('allows an exact endpoint by name or by address, on that port only', () => {
    expect(decide('kafka.corp', 19092, ['10.9.9.9'], 'kafka.corp:19092')).toEqual({ allowed: true });
    expect(decide('other.corp', 19092, ['10.9.9.9'], '10.9.9.9:19092')).toEqual({ allowed: true });
    expect(decide('kafka.corp', 19093, ['10.9.9.9'], 'kafka.corp:19092').allowed).toBe(false);
    expect(decide('127.0.0.1', 19092, ['127.0.0.1'], '127.0.0.1:19092')).toEqual({ allowed: true });
    expect(decide('127.0.0.1', 5432, ['127.0.0.1'], '127.0.0.1:19092').allowed).toBe(false);
  });

  it('allows an address in an allowed network, IPv4-mapped IPv6 included', () => {
    expect(decide('k', 9093, ['10.1.2.3'], '10.0.0.0/8')).toEqual({ allowed: true });
    expect(decide('k', 9093, ['::ffff:10.1.2.3'], '10.0.0.0/8')).toEqual({ allowed: true });
    expect(decide('k', 9093, ['fd00::7'], '10.0.0.0/8').allowed).toBe(false);
  });

  it('never allows a non-public address that no allow entry covers (property)', () => {
    const internal = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
        .map(([a, b]) => `127.${a}.${b}.1`),
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
        .map(([a, b]) => `10.${a}.${b}.7`),
      fc.integer({ min: 0, max: 255 }).map((a) => `169.254.${a}.1`),
      fc.integer({ min: 16, max: 31 }).map((a) => `172.${a}.0.1`),
    );
    fc.assert(
      fc.property(internal, fc.integer({ min: 1, max: 65_535 }), (address, port) => {
        expect(decide('h.example.com', port, [address], '192.168.0.0/16,kafka.corp:9092').allowed).toBe(
          false,
        );
      }),
    );
  });
});

describe('parseEgressAllow', () => {
  it('reads endpoints and networks, and says what is wrong', () => {
    expect(parseEgressAllow(' 127.0.0.1:9092, 10.0.0.0/8 ,,')).toMatchObject([
      { kind: 'endpoint', host: '127.0.0.1', port: 9092 },
      { kind: 'network', cidr: '10.0.0.0/8' },
    ]);
    expect(parseEgressAllow('')).toEqual([]);
    expect(() => parseEgressAllow('10.0.0.0/99')).toThrow('"10.0.0.0/99" is not a CIDR network');
    expect(() => parseEgressAllow('kafka')).toThrow('"kafka" is neither host:port nor a CIDR network');
    expect(() => parseEgressAllow('kafka:0')).toThrow('neither host:port');
  });
});

describe('parseEndpoint', () => {
  it('reads host:port and [v6]:port, refuses the rest', () => {
    expect(parseEndpoint('Kafka.Example.com:9092')).toEqual({ host: 'kafka.example.com', port: 9092 });
    expect(parseEndpoint('[::1]:9092')).toEqual({ host: '::1', port: 9092 });
    for (const bad of ['kafka', 'kafka:', 'kafka:99999', 'a b:1', 'user@h:1', 'h:1/x', ''])
      expect(parseEndpoint(bad)).toBeUndefined();
  });
});

describe('parseRegistryUrl', () => {
  it('keeps scheme, host, port and path, without a trailing slash', () => {
    expect(parseRegistryUrl('https://sr.example.com/apis/ccompat/v7/')).toEqual({
      url: 'https://sr.example.com/apis/ccompat/v7',
      endpoint: { host: 'sr.example.com', port: 443 },
    });
    expect(parseRegistryUrl('http://10.0.0.5:8081')).toEqual({
      url: 'http://10.0.0.5:8081',
      endpoint: { host: '10.0.0.5', port: 8081 },
    });
  });

  it.each([
    'http://sr.example.com/x#',
    'http://sr.example.com/x#/subjects',
    'http://sr.example.com/x?',
    'http://sr.example.com/x?a=',
    'http://user:pw@sr.example.com',
    'http://sr.example.com@127.0.0.1:5432',
    'http://sr.example.com/%2e%2e/admin',
    'http://sr.example.com\\@127.0.0.1',
    'ftp://sr.example.com',
    'file:///etc/passwd',
    'gopher://127.0.0.1:6379/_INFO',
    'sr.example.com:8081',
    'http://',
    'http://sr.example.com/ x',
  ])('refuses %s', (raw) => {
    expect(parseRegistryUrl(raw)).toBeUndefined();
  });
});
