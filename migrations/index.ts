import { TenancyFoundation1763800000000 } from './1763800000000-tenancy-foundation';
import { IdentityAndStatements1763800100000 } from './1763800100000-identity-and-statements';
import { Metering1763800200000 } from './1763800200000-metering';
import { RoleBindings1763800400000 } from './1763800400000-role-bindings';
import { ComputePools1763800500000 } from './1763800500000-compute-pools';
import { ScalingDecisions1763800600000 } from './1763800600000-scaling-decisions';
import { FlinkCells1763800700000 } from './1763800700000-flink-cells';
import { CellIdle1763800800000 } from './1763800800000-cell-idle';
import { TableSettings1763800900000 } from './1763800900000-table-settings';
import { StatementChangeNotify1763801000000 } from './1763801000000-statement-change-notify';
import { ResultStreams1763801100000 } from './1763801100000-result-streams';
import { StatementAnalysisAndViews1763801250000 } from './1763801250000-statement-analysis-and-views';
import { LogicalClusters1763801300000 } from './1763801300000-logical-clusters';

/** Every migration, in order. Listed explicitly so compiled and ts runs load the same set. */
export const MIGRATIONS = [
  TenancyFoundation1763800000000,
  IdentityAndStatements1763800100000,
  Metering1763800200000,
  RoleBindings1763800400000,
  ComputePools1763800500000,
  ScalingDecisions1763800600000,
  FlinkCells1763800700000,
  CellIdle1763800800000,
  TableSettings1763800900000,
  StatementChangeNotify1763801000000,
  ResultStreams1763801100000,
  StatementAnalysisAndViews1763801250000,
  LogicalClusters1763801300000,
];
