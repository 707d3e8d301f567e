import { ConfigurationError } from './define-config';
import { tracingConfig } from './tracing';

describe('tracing configuration', () => {
  it('is off by default', () => {
    expect(tracingConfig.load({})).toEqual({
      exporter: 'none',
      otlpEndpoint: 'http://127.0.0.1:4318',
      serviceName: undefined,
      sampleRatio: 1,
    });
  });

  it('reads the OTLP endpoint, service name and sample ratio', () => {
    expect(
      tracingConfig.load({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'riffle-api-eu',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toEqual({
      exporter: 'otlp',
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'riffle-api-eu',
      sampleRatio: 0.25,
    });
  });

  it.each([
    ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_TRACES_SAMPLER_ARG', '2'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => tracingConfig.load({ [name]: value })).toThrow(ConfigurationError);
    expect(() => tracingConfig.load({ [name]: value })).toThrow(new RegExp(`${name}: .*got "${value}"`));
  });
});
