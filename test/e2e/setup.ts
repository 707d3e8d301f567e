// e2e tests drive real JVMs on 2 shared cores: Flink job submission alone can take tens of seconds.
jest.setTimeout(180_000);
