import { Metrics } from './metrics';

/** the exposition's samples, each with its labels in one order (Prometheus does not order them) */
const samples = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/\{(.*)\}/, (_, labels: string) => `{${labels.split(',').sort().join(',')}}`))
    .sort();

describe('Metrics.boundHistogram', () => {
  const observations: [string, string, number][] = [
    ['GET', '200', 0.05],
    ['GET', '200', 0.1], // on a bound: counted in it, as Prometheus' `le` says
    ['GET', '200', 0.5],
    ['GET', '200', 3], // above every bound: +Inf only
    ['PUT', '404', 1],
    ['GET', '200', 0.2],
  ];

  it("exposes what prom-client's histogram exposes for the same observations", async () => {
    const ours = new Metrics('api');
    const theirs = new Metrics('api');
    const bound = ours.boundHistogram('x_seconds', 'Some latency', ['method', 'status'], [0.1, 0.25, 1]);
    const reference = theirs.histogram('x_seconds', 'Some latency', ['method', 'status'], [0.1, 0.25, 1]);
    for (const [method, status, value] of observations) {
      bound.bind(method, status)(value);
      reference.observe({ method, status }, value);
    }
    const text = await ours.registry.getSingleMetricAsString('riffle_x_seconds');
    expect(samples(text)).toEqual(samples(await theirs.registry.getSingleMetricAsString('riffle_x_seconds')));
    expect(samples(text)).toContain(
      'riffle_x_seconds_bucket{app="api",le="0.25",method="GET",status="200"} 3',
    );
    expect(samples(text)).toContain('riffle_x_seconds_count{app="api",method="GET",status="200"} 5');
  });

  it('binds a label set once: a second bind observes into the same series', async () => {
    const metrics = new Metrics('api');
    const histogram = metrics.boundHistogram('y_seconds', 'Some latency', ['route'], [1]);
    histogram.bind('/a')(0.5);
    histogram.bind('/a')(2);
    expect(await metrics.registry.getSingleMetricAsString('riffle_y_seconds')).toContain(
      'riffle_y_seconds_count{route="/a",app="api"} 2',
    );
  });

  it('resets in place: an observer bound before a reset still counts after it', async () => {
    const metrics = new Metrics('api');
    const observe = metrics.boundHistogram('z_seconds', 'Some latency', ['route'], [1]).bind('/a');
    observe(0.5);
    metrics.registry.resetMetrics();
    observe(2);
    const text = await metrics.registry.getSingleMetricAsString('riffle_z_seconds');
    expect(samples(text)).toEqual(
      expect.arrayContaining([
        'riffle_z_seconds_bucket{app="api",le="1",route="/a"} 0',
        'riffle_z_seconds_count{app="api",route="/a"} 1',
        'riffle_z_seconds_sum{app="api",route="/a"} 2',
      ]),
    );
  });
});
