import { flinkErrorLines } from './flink-http';

describe('flinkErrorLines', () => {
  it('keeps Flink error summaries and drops Java stack frames', () => {
    const body = JSON.stringify({
      errors: [
        'org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
        "Caused by: org.apache.flink.table.api.ValidationException: Column 'nope' not found\n\tat org.apache.Foo.bar(Foo.java:1)\n\t... 12 more",
      ],
    });
    expect(flinkErrorLines(body)).toEqual([
      'org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
      "Caused by: org.apache.flink.table.api.ValidationException: Column 'nope' not found",
    ]);
  });

  it('falls back to a bounded excerpt of a body that is not Flink JSON', () => {
    expect(flinkErrorLines('x'.repeat(2_000))[0]).toHaveLength(500);
  });
});
