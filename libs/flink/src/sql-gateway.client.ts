import { RiffleError } from '@riffle/domain';
import { flinkRequest } from './flink-http';

/** SQL Gateway REST API v4 (Flink 2.x): sessions, statements, operations, paged results. */
const API = '/v4';

export type OperationStatus =
  'INITIALIZED' | 'PENDING' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'CLOSED' | 'ERROR' | 'TIMEOUT';

export interface ResultColumn {
  name: string;
  logicalType: { type: string; nullable: boolean };
}

export interface ResultRow {
  kind: 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
  fields: unknown[];
}

export interface ResultPage {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  isQueryResult?: boolean;
  jobID?: string;
  resultKind?: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  results?: { columns?: ResultColumn[]; rowFormat?: string; data: ResultRow[] };
  nextResultUri?: string;
}

export interface OperationRef {
  sessionHandle: string;
  operationHandle: string;
}

export class SqlGatewayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  info(): Promise<{ productName: string; version: string }> {
    return flinkRequest(this.baseUrl, 'GET', `${API}/info`, this.timeoutMs);
  }

  async openSession(properties: Record<string, string> = {}, sessionName?: string): Promise<string> {
    const body = await flinkRequest<{ sessionHandle: string }>(
      this.baseUrl,
      'POST',
      `${API}/sessions`,
      this.timeoutMs,
      {
        sessionName,
        properties,
      },
    );
    return body.sessionHandle;
  }

  async closeSession(sessionHandle: string): Promise<void> {
    await flinkRequest(this.baseUrl, 'DELETE', `${API}/sessions/${sessionHandle}`, this.timeoutMs);
  }

  async executeStatement(
    sessionHandle: string,
    statement: string,
    executionConfig: Record<string, string> = {},
  ): Promise<OperationRef> {
    const body = await flinkRequest<{ operationHandle: string }>(
      this.baseUrl,
      'POST',
      `${API}/sessions/${sessionHandle}/statements`,
      this.timeoutMs,
      { statement, executionConfig },
    );
    return { sessionHandle, operationHandle: body.operationHandle };
  }

  async status(op: OperationRef): Promise<OperationStatus> {
    const body = await flinkRequest<{ status: OperationStatus }>(
      this.baseUrl,
      'GET',
      `${API}/sessions/${op.sessionHandle}/operations/${op.operationHandle}/status`,
      this.timeoutMs,
    );
    return body.status;
  }

  /** token 0 is the first page; follow `nextResultUri` (or token + 1) until resultType EOS */
  fetchResults(op: OperationRef, token: number): Promise<ResultPage> {
    return flinkRequest<ResultPage>(
      this.baseUrl,
      'GET',
      `${API}/sessions/${op.sessionHandle}/operations/${op.operationHandle}/result/${token}?rowFormat=JSON`,
      this.timeoutMs,
    );
  }

  async closeOperation(op: OperationRef): Promise<void> {
    await flinkRequest(
      this.baseUrl,
      'DELETE',
      `${API}/sessions/${op.sessionHandle}/operations/${op.operationHandle}/close`,
      this.timeoutMs,
    );
  }

  /**
   * Runs one statement to its first result page: DDL finishes, an INSERT answers with its job id once
   * the job is submitted. Fetching result 0 blocks in the gateway until the operation has produced it.
   */
  async executeAndWait(sessionHandle: string, statement: string, deadlineMs = 60_000): Promise<ResultPage> {
    const op = await this.executeStatement(sessionHandle, statement);
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const page = await this.fetchResults(op, 0);
      if (page.resultType !== 'NOT_READY') return page;
      if (Date.now() > deadline) {
        throw new RiffleError(
          'FLINK_TIMEOUT',
          'unavailable',
          `statement did not produce a result within ${deadlineMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
