/** The one place Riffle reads process.env. Everything else receives typed options. */
export type Environment = Readonly<Record<string, string | undefined>>;

export function processEnvironment(): Environment {
  return { ...process.env };
}
