import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One invariant checked at the end of a scenario. */
export interface InvariantCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** A scenario's line in `.riffle/reports/faults.jsonl`, which `npm run test:faults` prints as its report. */
export interface ScenarioRecord {
  scenario: string;
  faults: number;
  /** longest time from a fault to the service working again, ms */
  recoveryMs: number | null;
  checks: InvariantCheck[];
  ok: boolean;
}

export const FAULTS_REPORT = resolve(__dirname, '../../../.riffle/reports/faults.jsonl');

/**
 * The record of one fault scenario: when each fault was injected, when the service was seen working
 * again, and the invariants checked at the end. `finish()` appends it to the report and fails the test
 * if any invariant does not hold (the report keeps the failing scenario too).
 */
export class FaultScenario {
  private readonly recoveries: number[] = [];
  private faultAt: number | undefined;
  private faults = 0;
  readonly checks: InvariantCheck[] = [];

  constructor(readonly name: string) {}

  /** a fault was just injected */
  fault(): void {
    this.faultAt = Date.now();
    this.faults += 1;
  }

  /** the service works again after the last fault; returns the recovery time in ms */
  recovered(): number {
    if (this.faultAt === undefined) throw new Error('recovered() before any fault()');
    const ms = Date.now() - this.faultAt;
    this.recoveries.push(ms);
    this.faultAt = undefined;
    return ms;
  }

  check(check: InvariantCheck | InvariantCheck[]): void {
    this.checks.push(...(Array.isArray(check) ? check : [check]));
  }

  finish(): ScenarioRecord {
    const record: ScenarioRecord = {
      scenario: this.name,
      faults: this.faults,
      recoveryMs: this.recoveries.length ? Math.max(...this.recoveries) : null,
      checks: this.checks,
      ok: this.checks.length > 0 && this.checks.every((c) => c.ok),
    };
    mkdirSync(join(FAULTS_REPORT, '..'), { recursive: true });
    appendFileSync(FAULTS_REPORT, `${JSON.stringify(record)}\n`);
    const failed = this.checks.filter((c) => !c.ok);
    if (!this.checks.length) throw new Error(`${this.name}: no invariant was checked`);
    if (failed.length)
      throw new Error(
        `${this.name}: invariants broken:\n${failed.map((c) => `  ✗ ${c.name}: ${c.detail}`).join('\n')}`,
      );
    return record;
  }
}

/** The report as text: one block per scenario with its recovery time and invariant checks. */
export function renderFaultsReport(records: ScenarioRecord[]): string {
  const lines = ['Fault scenarios', ''];
  for (const r of records) {
    const recovery = r.recoveryMs === null ? '—' : `${(r.recoveryMs / 1000).toFixed(1)} s`;
    lines.push(`${r.ok ? '✓' : '✗'} ${r.scenario}  (faults: ${r.faults}, recovery: ${recovery})`);
    for (const c of r.checks) lines.push(`    ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  }
  const passed = records.filter((r) => r.ok).length;
  lines.push('', `${passed}/${records.length} scenarios hold every invariant`);
  return lines.join('\n');
}
