// fault scenarios restart real processes (JVMs among them) on 2 shared cores: each gets minutes, bounded
jest.setTimeout(600_000);
