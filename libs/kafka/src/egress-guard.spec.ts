import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EgressPolicy, parseEgressAllow, RiffleError } from '@riffle/domain';
import { DnsEgressGuard, egressDispatcher, egressSocketFactory } from './egress-guard';

/** only loopback servers of this test: every refused case must fail before any packet leaves */
describe('egress guard', () => {
  let server: Server;
  let port: number;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_, response) => {
      requests += 1;
      response.end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const policy = (allow: string): EgressPolicy => ({
    allow: parseEgressAllow(allow),
    platform: [{ host: '127.0.0.1', port: 5432 }],
  });

  describe('DnsEgressGuard', () => {
    const resolver = (answers: Record<string, string[]>) => async (host: string) => {
      const found = answers[host];
      if (!found) throw new Error(`ENOTFOUND ${host}`);
      return found;
    };

    it('refuses a name resolving to an internal address and one that does not resolve, alike', async () => {
      const guard = new DnsEgressGuard(
        policy(''),
        resolver({ 'inside.example.com': ['10.0.0.1'], 'public.example.com': ['93.184.216.34'] }),
      );
      await expect(guard.check([{ host: 'public.example.com', port: 9092 }])).resolves.toBeUndefined();
      const refusals = await Promise.all(
        ['inside.example.com', 'missing.example.com', '127.0.0.1', '169.254.169.254'].map((host) =>
          guard.check([{ host, port: 9092 }]).catch((e: RiffleError) => e),
        ),
      );
      for (const refusal of refusals) {
        expect(refusal).toBeInstanceOf(RiffleError);
        expect((refusal as RiffleError).code).toBe('EGRESS_NOT_ALLOWED');
      }
      expect((refusals[1] as RiffleError).message).toBe(
        'Riffle does not connect to missing.example.com:9092: only public addresses are reachable, unless the operator allows more (EGRESS_ALLOW).',
      );
    });

    it('resolves with the system resolver: localhost is loopback', async () => {
      const guard = new DnsEgressGuard(policy(''));
      await expect(guard.check([{ host: 'localhost', port: 6379 }])).rejects.toMatchObject({
        code: 'EGRESS_NOT_ALLOWED',
      });
      await expect(guard.check([{ host: '2130706433', port: 6379 }])).rejects.toMatchObject({
        code: 'EGRESS_NOT_ALLOWED',
      });
    });
  });

  describe('egressSocketFactory (kafkajs)', () => {
    const connect = (allow: string, host: string) =>
      new Promise<string>((done) => {
        const socket = egressSocketFactory(policy(allow))({
          host,
          port,
          ssl: undefined as never,
          onConnect: () => {
            socket.destroy();
            done('connected');
          },
        });
        socket.on('error', (error: Error) => done((error as RiffleError).code ?? error.message));
      });

    it('connects where allowed, by address and by name', async () => {
      expect(await connect(`127.0.0.1:${port}`, '127.0.0.1')).toBe('connected');
      expect(await connect(`localhost:${port}`, 'localhost')).toBe('connected');
    });

    it('refuses an address or a name the policy does not allow, before connecting', async () => {
      const before = requests;
      expect(await connect('', '127.0.0.1')).toBe('EGRESS_NOT_ALLOWED');
      expect(await connect('', 'localhost')).toBe('EGRESS_NOT_ALLOWED');
      expect(await connect(`127.0.0.1:${port + 1}`, '127.0.0.1')).toBe('EGRESS_NOT_ALLOWED');
      expect(requests).toBe(before);
    });
  });

  describe('egressDispatcher (fetch)', () => {
    const get = async (allow: string, host: string) => {
      const dispatcher = egressDispatcher(policy(allow));
      try {
        const response = await fetch(`http://${host}:${port}/subjects`, {
          dispatcher,
          redirect: 'error',
        } as RequestInit);
        return String(response.status);
      } catch (error) {
        // fetch wraps the connector's error; under jest's realms only its text survives
        return /Riffle does not connect to/.test(String((error as Error).cause))
          ? 'EGRESS_NOT_ALLOWED'
          : (error as Error).message;
      } finally {
        await dispatcher.close();
      }
    };

    it('fetches where allowed and refuses elsewhere without sending a request', async () => {
      expect(await get(`127.0.0.1:${port}`, '127.0.0.1')).toBe('200');
      expect(await get(`localhost:${port}`, 'localhost')).toBe('200');
      const before = requests;
      expect(await get('', '127.0.0.1')).toBe('EGRESS_NOT_ALLOWED');
      expect(await get('', 'localhost')).toBe('EGRESS_NOT_ALLOWED');
      expect(requests).toBe(before);
    });
  });
});
