import { randomBytes } from 'node:crypto';
import { parseBillingRange, RiffleError } from '@riffle/domain';
import { costLine, CSV_COLUMNS, csvRow, type CostLine, type PricingContext } from './cost-lines';
import type {
  BillingExport,
  BillingExportQueue,
  BillingExportRepository,
  CostGranularity,
  CostReader,
  ExportFormat,
  ExportSink,
} from './metering.ports';

export interface BillingOptions extends PricingContext {
  /** the widest date range one request may ask for */
  maxRangeDays: number;
}

const encodeToken = (key: string[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeToken(token: string): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length >= 3 && key.every((k) => typeof k === 'string')) return key;
  } catch {
    // fall through
  }
  throw new RiffleError('INVALID_PAGE_TOKEN', 'invalid', 'page_token is not one this API returned.');
}

const today = () => new Date().toISOString().slice(0, 10);

function parseGranularity(value: string | undefined): CostGranularity {
  if (value === undefined || value === 'pool') return 'pool';
  if (value === 'statement') return 'statement';
  throw new RiffleError('INVALID_GRANULARITY', 'invalid', 'group_by must be "pool" or "statement".');
}

/** GET /billing/v1/costs: daily cost lines of the caller's organization, in pages. */
export class ListCosts {
  constructor(
    private readonly costs: CostReader,
    private readonly options: BillingOptions,
  ) {}

  async execute(input: {
    organizationId: string;
    startDate?: string;
    endDate?: string;
    groupBy?: string;
    pageSize: number;
    pageToken?: string;
  }): Promise<{ lines: CostLine[]; nextToken?: string }> {
    const range = parseBillingRange(input.startDate, input.endDate, {
      maxDays: this.options.maxRangeDays,
      today: today(),
    });
    const query = {
      organizationId: input.organizationId,
      ...range,
      granularity: parseGranularity(input.groupBy),
    };
    const after = input.pageToken ? decodeToken(input.pageToken) : undefined;
    const groups = await this.costs.page(query, input.pageSize + 1, after);
    const page = groups.slice(0, input.pageSize);
    const last = page.at(-1);
    const nextToken =
      groups.length > input.pageSize && last
        ? encodeToken([
            last.day,
            last.environmentId,
            last.computePoolId ?? '',
            ...(last.statementUid ? [last.statementUid] : []),
          ])
        : undefined;
    return { lines: page.map((g) => costLine(g, this.options)), nextToken };
  }
}

/** POST /billing/v1/exports: validates the range and hands the export to the metering app. */
export class RequestBillingExport {
  constructor(
    private readonly exports: BillingExportRepository,
    private readonly queue: BillingExportQueue,
    private readonly options: BillingOptions,
  ) {}

  async execute(input: {
    organizationId: string;
    startDate?: string;
    endDate?: string;
    format?: string;
    groupBy?: string;
  }): Promise<BillingExport> {
    const range = parseBillingRange(input.startDate, input.endDate, {
      maxDays: this.options.maxRangeDays,
      today: today(),
    });
    const format = input.format ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl')
      throw new RiffleError('INVALID_EXPORT_FORMAT', 'invalid', 'format must be "csv" or "jsonl".');
    const created = await this.exports.insert({
      id: `exp-${randomBytes(8).toString('hex')}`,
      organizationId: input.organizationId,
      ...range,
      format,
      granularity: parseGranularity(input.groupBy),
    });
    await this.queue.enqueueExport(created.id);
    return created;
  }
}

/** The metering app's side of an export: stream every line of the range to the sink. */
export class RunBillingExport {
  constructor(
    private readonly exports: BillingExportRepository,
    private readonly costs: CostReader,
    private readonly sink: ExportSink,
    private readonly options: PricingContext,
  ) {}

  async execute(exportId: string): Promise<void> {
    const job = await this.exports.findById(exportId);
    if (!job || job.phase === 'COMPLETED') return;
    await this.exports.update(exportId, { phase: 'RUNNING', detail: 'Writing cost lines.' });
    let lines = 0;
    const chunks = this.render(job, job.format, () => lines++);
    const written = await this.sink.write(`${job.organizationId}/${job.id}.${job.format}`, chunks);
    await this.exports.update(exportId, {
      phase: 'COMPLETED',
      detail: `${lines} cost lines.`,
      ...written,
      lines,
      completed: true,
    });
  }

  private async *render(
    job: BillingExport,
    format: ExportFormat,
    counted: () => void,
  ): AsyncIterable<string> {
    if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
    let batch = '';
    for await (const group of this.costs.stream({
      organizationId: job.organizationId,
      startDate: job.startDate,
      endDate: job.endDate,
      granularity: job.granularity,
    })) {
      const line = costLine(group, this.options);
      batch += format === 'csv' ? csvRow(line) : `${JSON.stringify(line)}\n`;
      counted();
      if (batch.length > 64 * 1024) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
}

/** Export records and downloads, scoped to the caller's organization. */
export class BillingExports {
  constructor(
    private readonly exports: BillingExportRepository,
    private readonly sink: ExportSink,
  ) {}

  async get(organizationId: string, id: string): Promise<BillingExport> {
    const found = await this.exports.find(organizationId, id);
    if (!found) throw new RiffleError('EXPORT_NOT_FOUND', 'not_found', `No export "${id}".`);
    return found;
  }

  list(organizationId: string): Promise<BillingExport[]> {
    return this.exports.list(organizationId, 100);
  }

  async download(
    organizationId: string,
    id: string,
  ): Promise<{ export: BillingExport; body: NodeJS.ReadableStream }> {
    const found = await this.get(organizationId, id);
    if (found.phase !== 'COMPLETED' || !found.location)
      throw new RiffleError(
        'EXPORT_NOT_READY',
        'conflict',
        `Export "${id}" is ${found.phase}; try again when it is COMPLETED.`,
      );
    return { export: found, body: this.sink.open(found.location) };
  }
}
