package io.riffle.sqlanalyzer;

import org.apache.calcite.rel.RelNode;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.api.internal.TableEnvironmentImpl;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.planner.delegation.PlannerBase;
import org.apache.flink.table.planner.plan.metadata.FlinkRelMetadataQuery;
import org.apache.flink.table.planner.plan.nodes.physical.stream.StreamPhysicalRel;
import org.apache.flink.table.planner.plan.utils.ChangelogPlanUtils;

import java.util.List;
import java.util.Set;

/**
 * What each output of an optimized plan produces: for a sink, what it consumes (its input's changelog mode,
 * e.g. `I,UA,D`, and upsert keys); for a query, what its result carries. Read from the optimized physical
 * plan through the planner (PlannerBase#getExplainGraphs, as EXPLAIN builds it).
 */
final class PlanSummary {
    private PlanSummary() {}

    static ArrayNode outputs(TableEnvironmentInternal env, List<Operation> operations) {
        PlannerBase planner = (PlannerBase) ((TableEnvironmentImpl) env).getPlanner();
        scala.collection.Seq<RelNode> optimized = planner.getExplainGraphs(operations)._2();
        ArrayNode outputs = Analysis.JSON.arrayNode();
        for (int i = 0; i < optimized.size(); i++) outputs.add(output(optimized.apply(i)));
        return outputs;
    }

    private static ObjectNode output(RelNode root) {
        ObjectNode out = Analysis.JSON.objectNode();
        boolean sink = root.getRelTypeName().contains("Sink") && root.getInputs().size() == 1;
        out.put("node", root.getRelTypeName());
        RelNode input = sink ? root.getInput(0) : root;
        if (input instanceof StreamPhysicalRel) {
            scala.Option<ChangelogMode> mode = ChangelogPlanUtils.getChangelogMode((StreamPhysicalRel) input);
            if (mode.isDefined()) out.put("changelogMode", ChangelogPlanUtils.stringifyChangelogMode(mode));
        }
        List<String> fields = input.getRowType().getFieldNames();
        Set<ImmutableBitSet> keys = FlinkRelMetadataQuery.reuseOrCreate(input.getCluster().getMetadataQuery()).getUpsertKeys(input);
        if (keys == null) out.putNull("upsertKeys");
        else {
            ArrayNode upsertKeys = out.putArray("upsertKeys");
            for (ImmutableBitSet key : keys) {
                ArrayNode columns = upsertKeys.addArray();
                for (int index : key) columns.add(fields.get(index));
            }
        }
        ArrayNode names = out.putArray("fields");
        fields.forEach(names::add);
        return out;
    }
}
