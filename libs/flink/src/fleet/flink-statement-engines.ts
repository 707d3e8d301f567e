import {
  type CellEndpoints,
  type CellRepository,
  type StatementEngine,
  StatementEngines,
} from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { FlinkStatementEngine } from '../flink-statement-engine';
import { FlinkStatementRunner } from '../flink-statement-runner';
import { JobManagerClient } from '../job-manager.client';
import { SqlGatewayClient } from '../sql-gateway.client';

/** One FlinkStatementEngine per cell, built on first use from the cell's endpoints. */
export class FlinkStatementEngines extends StatementEngines {
  private readonly engines = new Map<string, Promise<StatementEngine>>();

  constructor(
    private readonly cells: CellRepository,
    /** the cell of statements placed before the fleet existed (and of a single-cell setup) */
    private readonly firstCell: CellEndpoints,
    private readonly requestTimeoutMs: number,
  ) {
    super();
  }

  forCell(cellId: string | null): Promise<StatementEngine> {
    const id = cellId ?? this.firstCell.id;
    let engine = this.engines.get(id);
    if (!engine) {
      engine = this.build(id);
      engine.catch(() => this.engines.delete(id));
      this.engines.set(id, engine);
    }
    return engine;
  }

  private async build(id: string): Promise<StatementEngine> {
    const cell = id === this.firstCell.id ? this.firstCell : await this.cells.find(id);
    if (!cell) throw new RiffleError('CELL_UNKNOWN', 'unavailable', `Flink cell ${id} is not registered.`);
    const jobManager = new JobManagerClient(cell.restUrl, this.requestTimeoutMs);
    const gateway = new SqlGatewayClient(cell.gatewayUrl, this.requestTimeoutMs);
    return new FlinkStatementEngine(new FlinkStatementRunner(gateway, jobManager), jobManager);
  }
}
