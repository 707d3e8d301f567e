/**
 * Entry point wrapper for every app: a configuration mistake prints what to fix and exits 1
 * without a stack trace; anything else is logged with its stack and exits 1.
 */
export function runMain(app: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof Error && error.name === 'ConfigurationError') {
      process.stderr.write(`riffle-${app} cannot start.\n${error.message}\n`);
    } else {
      process.stderr.write(
        `riffle-${app} failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
    }
    process.exit(1);
  });
}
