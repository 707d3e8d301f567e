import { z } from 'zod';
import type { Environment } from './environment';

/** Thrown at boot when a variable is malformed; the message names the variable and what to fix. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export interface ConfigConcern<T> {
  readonly concern: string;
  /** the environment variables this concern reads, for docs and error messages */
  readonly variables: readonly string[];
  load(env: Environment): T;
}

/**
 * One validated schema per concern. Empty strings count as unset so `FOO=` falls back to the default.
 */
export function defineConfig<Shape extends z.ZodRawShape, T>(
  concern: string,
  shape: Shape,
  toOptions: (vars: z.infer<z.ZodObject<Shape>>) => T,
): ConfigConcern<T> {
  const schema = z.object(shape);
  const variables = Object.keys(shape);
  return {
    concern,
    variables,
    load(env) {
      const input: Record<string, string> = {};
      for (const name of variables) {
        const value = env[name];
        if (value !== undefined && value.trim() !== '') input[name] = value.trim();
      }
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => {
          const name = String(issue.path[0] ?? concern);
          const got = input[name] === undefined ? 'unset' : JSON.stringify(input[name]);
          return `  ${name}: ${issue.message} (got ${got})`;
        });
        throw new ConfigurationError(
          `Invalid ${concern} configuration:\n${problems.join('\n')}\nFix these environment variables, or unset them to use the defaults.`,
        );
      }
      return toOptions(parsed.data);
    },
  };
}

export const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(fallback);

export const httpUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ''));

type Loaded<C> = { [K in keyof C]: C[K] extends ConfigConcern<infer T> ? T : never };

/** Loads several concerns and reports every bad variable at once, not just the first. */
export function loadConfigs<C extends Record<string, ConfigConcern<unknown>>>(
  env: Environment,
  concerns: C,
): Loaded<C> {
  const loaded: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, concern] of Object.entries(concerns)) {
    try {
      loaded[key] = concern.load(env);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length) throw new ConfigurationError(problems.join('\n'));
  return loaded as Loaded<C>;
}
