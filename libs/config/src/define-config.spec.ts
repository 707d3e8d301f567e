import { apiConfig, databaseConfig, kafkaConfig, LOCAL_DEFAULTS } from './concerns';
import { ConfigurationError, loadConfigs } from './define-config';

describe('configuration', () => {
  it('uses the local stack defaults when nothing is set', () => {
    expect(databaseConfig.load({})).toEqual({ url: LOCAL_DEFAULTS.databaseUrl, poolSize: 10 });
    expect(kafkaConfig.load({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      schemaRegistryUrl: LOCAL_DEFAULTS.schemaRegistryUrl,
      credentials: {},
    });
  });

  it('treats empty variables as unset and trims values', () => {
    expect(apiConfig.load({ API_PORT: '', API_HOST: ' 0.0.0.0 ' })).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
    });
  });

  it('parses typed values', () => {
    expect(
      kafkaConfig.load({ KAFKA_BOOTSTRAP_SERVERS: 'a:1, b:2', SCHEMA_REGISTRY_URL: 'http://r:1/x/' }),
    ).toEqual({
      brokers: ['a:1', 'b:2'],
      schemaRegistryUrl: 'http://r:1/x',
      credentials: {},
    });
    expect(
      kafkaConfig.load({
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'riffle',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_TLS: 'true',
      }).credentials,
    ).toEqual({ tls: true, sasl: { mechanism: 'SCRAM-SHA-512', username: 'riffle', password: 'pw' } });
    expect(() => kafkaConfig.load({ KAFKA_SASL_MECHANISM: 'PLAIN' })).toThrow(
      'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: must both be set with KAFKA_SASL_MECHANISM',
    );
  });

  it.each([
    ['API_PORT', 'abc', apiConfig],
    ['API_PORT', '70000', apiConfig],
    ['DATABASE_URL', 'mysql://localhost/x', databaseConfig],
    ['KAFKA_BOOTSTRAP_SERVERS', 'localhost', kafkaConfig],
    ['SCHEMA_REGISTRY_URL', 'ftp://x', kafkaConfig],
  ] as const)('rejects %s=%s naming the variable', (name, value, concern) => {
    expect(() => concern.load({ [name]: value })).toThrow(ConfigurationError);
    expect(() => concern.load({ [name]: value })).toThrow(new RegExp(`${name}: .*got "${value}"`));
  });

  it('reports every bad variable at once', () => {
    let message = '';
    try {
      loadConfigs({ API_PORT: 'x', DATABASE_URL: 'nope' }, { api: apiConfig, database: databaseConfig });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('API_PORT');
    expect(message).toContain('DATABASE_URL');
  });
});
