package io.riffle.sqlanalyzer;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ContextResolvedTable;
import org.apache.flink.table.catalog.ResolvedCatalogBaseTable;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.WatermarkSpec;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Resolved schemas and tables as JSON, in Flink's own words: types as Flink renders them for SQL
 * (`asSerializableString`, e.g. `TIMESTAMP(3)`, `ROW<`a` INT NOT NULL>`) without the top-level NOT NULL,
 * which is `nullable`; expressions as Flink serializes them.
 */
final class Describe {
    private Describe() {}

    static ArrayNode schema(ResolvedSchema schema) {
        ArrayNode columns = Analysis.JSON.arrayNode();
        for (Column column : schema.getColumns()) columns.add(column(column));
        return columns;
    }

    static void table(ContextResolvedTable resolved, ObjectNode out) {
        out.put("exists", true);
        ResolvedCatalogBaseTable<?> table = resolved.getResolvedTable();
        out.put("tableKind", table.getTableKind() == CatalogBaseTable.TableKind.VIEW ? "VIEW" : "TABLE");
        out.put("temporary", resolved.isTemporary());
        ResolvedSchema schema = table.getResolvedSchema();
        out.set("columns", schema(schema));
        schema.getPrimaryKey().ifPresent(key -> {
            ObjectNode pk = out.putObject("primaryKey");
            pk.put("name", key.getName());
            ArrayNode columns = pk.putArray("columns");
            key.getColumns().forEach(columns::add);
        });
        ArrayNode watermarks = out.putArray("watermarks");
        for (WatermarkSpec spec : schema.getWatermarkSpecs()) {
            ObjectNode w = watermarks.addObject();
            w.put("column", spec.getRowtimeAttribute());
            w.put("expression", spec.getWatermarkExpression().asSerializableString());
        }
        if (table instanceof ResolvedCatalogTable) {
            ResolvedCatalogTable catalogTable = (ResolvedCatalogTable) table;
            catalogTable.getDistribution().ifPresent(d -> {
                ObjectNode distribution = out.putObject("distribution");
                distribution.put("kind", d.getKind().name());
                ArrayNode keys = distribution.putArray("columns");
                d.getBucketKeys().forEach(keys::add);
                d.getBucketCount().ifPresent(n -> distribution.put("buckets", n));
            });
            ArrayNode partitions = out.putArray("partitionKeys");
            catalogTable.getPartitionKeys().forEach(partitions::add);
        }
        ObjectNode options = out.putObject("options");
        table.getOptions().forEach(options::put);
        if (table.getComment() != null && !table.getComment().isEmpty()) out.put("comment", table.getComment());
    }

    static ObjectNode column(Column column) {
        ObjectNode out = Analysis.JSON.objectNode();
        out.put("name", column.getName());
        LogicalType type = column.getDataType().getLogicalType();
        out.put("type", typeText(type.copy(true)));
        out.put("nullable", type.isNullable());
        if (column instanceof Column.ComputedColumn) {
            out.put("kind", "computed");
            out.put("expression", ((Column.ComputedColumn) column).getExpression().asSerializableString());
        } else if (column instanceof Column.MetadataColumn) {
            Column.MetadataColumn metadata = (Column.MetadataColumn) column;
            out.put("kind", "metadata");
            out.put("metadataKey", metadata.getMetadataKey().orElse(column.getName()));
            out.put("virtual", metadata.isVirtual());
        } else {
            out.put("kind", "physical");
        }
        column.getComment().ifPresent(c -> out.put("comment", c));
        return out;
    }

    private static String typeText(LogicalType type) {
        try {
            return type.asSerializableString();
        } catch (RuntimeException e) {
            return type.asSummaryString();
        }
    }
}
