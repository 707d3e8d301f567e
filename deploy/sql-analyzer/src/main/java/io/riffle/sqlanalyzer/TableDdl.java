package io.riffle.sqlanalyzer;

import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.sql.parser.ddl.SqlAlterTable;
import org.apache.flink.sql.parser.ddl.SqlAlterTableDropColumn;
import org.apache.flink.sql.parser.ddl.SqlAlterTableDropConstraint;
import org.apache.flink.sql.parser.ddl.SqlAlterTableOptions;
import org.apache.flink.sql.parser.ddl.SqlAlterTableRename;
import org.apache.flink.sql.parser.ddl.SqlAlterTableRenameColumn;
import org.apache.flink.sql.parser.ddl.SqlAlterTableReset;
import org.apache.flink.sql.parser.ddl.SqlAlterTableSchema;
import org.apache.flink.sql.parser.ddl.SqlCreateTable;
import org.apache.flink.sql.parser.ddl.SqlCreateTableAs;
import org.apache.flink.sql.parser.ddl.SqlCreateTableLike;
import org.apache.flink.sql.parser.ddl.SqlDistribution;
import org.apache.flink.sql.parser.ddl.SqlReplaceTableAs;
import org.apache.flink.sql.parser.ddl.SqlTableColumn;
import org.apache.flink.sql.parser.ddl.SqlTableLike;
import org.apache.flink.sql.parser.ddl.SqlTableOption;
import org.apache.flink.sql.parser.ddl.SqlWatermark;
import org.apache.flink.sql.parser.ddl.constraint.SqlTableConstraint;
import org.apache.flink.sql.parser.ddl.position.SqlTableColumnPosition;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * CREATE TABLE (plain, AS, LIKE, REPLACE … AS) and ALTER TABLE, described as written: columns (physical,
 * computed, metadata) with their types and expressions as source text, the watermark, constraints,
 * distribution, partition keys, LIKE and its options, WITH options, and for ALTER TABLE what it adds,
 * modifies, drops or renames. Types and expressions stay text: Flink (validation) and Riffle (the mapping
 * to schemas) read them on their own terms.
 */
final class TableDdl {
    private static final Pattern NULLABILITY = Pattern.compile("(?i)\\s+(NOT\\s+)?NULL\\s*$");

    private final Analysis analysis;
    private final QueryWalker queries;
    private final TextScan scan;

    TableDdl(Analysis analysis, QueryWalker queries, TextScan scan) {
        this.analysis = analysis;
        this.queries = queries;
        this.scan = scan;
    }

    ObjectNode create(SqlCreateTable create) {
        ObjectNode table = Analysis.JSON.objectNode();
        table.set("path", Analysis.path(create.getTableName()));
        table.put("temporary", create.isTemporary());
        table.put("ifNotExists", create.isIfNotExists());
        if (create instanceof SqlReplaceTableAs)
            table.put("orReplace", ((SqlReplaceTableAs) create).isCreateOrReplace());
        table.set("columns", columns(create.getColumnList()));
        table.set("constraints", constraints(create.getFullConstraints()));
        create.getWatermark().ifPresent(w -> table.set("watermark", watermark(w)));
        if (create.getDistribution() != null) table.set("distribution", distribution(create.getDistribution()));
        ArrayNode partitions = table.putArray("partitionedBy");
        if (create.getPartitionKeyList() != null)
            for (SqlNode key : create.getPartitionKeyList()) partitions.add(((SqlIdentifier) key).getSimple());
        create.getComment().ifPresent(c -> table.put("comment", c.getValueAs(String.class)));
        if (create instanceof SqlCreateTableLike) table.set("like", like(((SqlCreateTableLike) create).getTableLike()));
        table.set("options", options(create.getPropertyList(), "WITH"));
        return table;
    }

    /** the query of CREATE TABLE … AS / REPLACE TABLE … AS */
    static SqlNode asQuery(SqlCreateTable create) {
        if (create instanceof SqlCreateTableAs) return ((SqlCreateTableAs) create).getAsQuery();
        if (create instanceof SqlReplaceTableAs) return ((SqlReplaceTableAs) create).getAsQuery();
        return null;
    }

    ObjectNode alter(SqlAlterTable alter) {
        ObjectNode table = Analysis.JSON.objectNode();
        table.set("path", Analysis.path(alter.getTableName()));
        table.put("ifExists", alter.ifTableExists());
        if (alter instanceof SqlAlterTableOptions) {
            table.set("options", options(((SqlAlterTableOptions) alter).getPropertyList(), "TABLE_SET"));
        } else if (alter instanceof SqlAlterTableReset) {
            ArrayNode keys = table.putArray("resetKeys");
            for (SqlNode key : ((SqlAlterTableReset) alter).getPropertyKeyList()) {
                String name = ((SqlCharStringLiteral) key).getValueAs(String.class);
                keys.add(name);
                analysis.option("TABLE_RESET", name, null, key.getParserPosition());
            }
        } else if (alter instanceof SqlAlterTableSchema) {
            SqlAlterTableSchema schema = (SqlAlterTableSchema) alter;
            table.set("columns", columns(schema.getColumnPositions()));
            table.set("constraints", constraints(schema.getConstraints()));
            schema.getWatermark().ifPresent(w -> table.set("watermark", watermark(w)));
            schema.getDistribution().ifPresent(d -> table.set("distribution", distribution(d)));
        } else if (alter instanceof SqlAlterTableDropColumn) {
            ArrayNode dropped = table.putArray("dropColumns");
            for (SqlNode column : ((SqlAlterTableDropColumn) alter).getColumnList())
                dropped.add(String.join(".", ((SqlIdentifier) column).names));
        } else if (alter instanceof SqlAlterTableRenameColumn) {
            SqlAlterTableRenameColumn rename = (SqlAlterTableRenameColumn) alter;
            ObjectNode renamed = table.putObject("renameColumn");
            renamed.put("from", String.join(".", rename.getOldColumnIdentifier().names));
            renamed.put("to", String.join(".", rename.getNewColumnIdentifier().names));
        } else if (alter instanceof SqlAlterTableRename) {
            List<String> target = Arrays.asList(((SqlAlterTableRename) alter).fullNewTableName());
            table.set("renameTo", Analysis.path(target));
            analysis.reference("TABLE", "create", Analysis.path(target), alter.getParserPosition());
        } else if (alter instanceof SqlAlterTableDropConstraint) {
            table.put("constraintName", ((SqlAlterTableDropConstraint) alter).getConstraintName().getSimple());
        }
        return table;
    }

    private ArrayNode columns(SqlNodeList list) {
        ArrayNode columns = Analysis.JSON.arrayNode();
        if (list == null) return columns;
        for (SqlNode node : list) {
            SqlTableColumnPosition position = node instanceof SqlTableColumnPosition ? (SqlTableColumnPosition) node : null;
            SqlNode column = position != null ? position.getColumn() : node;
            if (!(column instanceof SqlTableColumn)) continue;
            ObjectNode out = column((SqlTableColumn) column);
            if (position != null && position.isFirstColumn()) out.put("position", "FIRST");
            if (position != null && position.isAfterReferencedColumn())
                out.put("after", position.getAfterReferencedColumn().getSimple());
            columns.add(out);
        }
        return columns;
    }

    private ObjectNode column(SqlTableColumn column) {
        ObjectNode out = Analysis.JSON.objectNode();
        out.put("name", column.getName().getSimple());
        // the column node's own position is that of its last part: its name's is where it starts
        SqlText.put(out, column.getName().getParserPosition());
        if (column instanceof SqlTableColumn.SqlComputedColumn) {
            SqlNode expression = ((SqlTableColumn.SqlComputedColumn) column).getExpr();
            out.put("kind", "computed");
            out.put("expression", analysis.source(expression));
            queries.expr(expression);
        } else if (column instanceof SqlTableColumn.SqlMetadataColumn) {
            SqlTableColumn.SqlMetadataColumn metadata = (SqlTableColumn.SqlMetadataColumn) column;
            out.put("kind", "metadata");
            type(out, column.getName(), metadata.getType());
            metadata.getMetadataAlias().ifPresent(key -> out.put("metadataKey", key));
            out.put("virtual", metadata.isVirtual());
        } else if (column instanceof SqlTableColumn.SqlRegularColumn) {
            SqlTableColumn.SqlRegularColumn regular = (SqlTableColumn.SqlRegularColumn) column;
            out.put("kind", "physical");
            type(out, column.getName(), regular.getType());
            regular.getConstraint().ifPresent(c -> out.put("primaryKey", c.isPrimaryKey()));
        }
        column.getComment().ifPresent(c -> {
            if (c instanceof SqlCharStringLiteral) out.put("comment", ((SqlCharStringLiteral) c).getValueAs(String.class));
        });
        return out;
    }

    /** the type as written, without its NOT NULL / NULL, and whether it is nullable */
    private void type(ObjectNode out, SqlIdentifier name, SqlDataTypeSpec spec) {
        if (spec == null) return;
        SqlParserPos pos = name.getParserPosition();
        String written = scan.typeText(analysis.text.offset(pos.getEndLineNum(), pos.getEndColumnNum()) + 1);
        out.put("type", NULLABILITY.matcher(written).replaceFirst(""));
        Boolean nullable = spec.getNullable();
        out.put("nullable", nullable == null || nullable);
    }

    private ArrayNode constraints(List<SqlTableConstraint> list) {
        ArrayNode constraints = Analysis.JSON.arrayNode();
        for (SqlTableConstraint constraint : list) {
            ObjectNode out = constraints.addObject();
            constraint.getConstraintName().ifPresent(name -> out.put("name", name));
            out.put("primaryKey", constraint.isPrimaryKey());
            out.put("unique", constraint.isUnique());
            out.put("enforced", constraint.isEnforced());
            ArrayNode columns = out.putArray("columns");
            for (String name : constraint.getColumnNames()) columns.add(name);
            SqlText.put(out, constraint.getParserPosition());
        }
        return constraints;
    }

    private ObjectNode watermark(SqlWatermark watermark) {
        ObjectNode out = Analysis.JSON.objectNode();
        out.put("eventTimeColumn", String.join(".", watermark.getEventTimeColumnName().names));
        out.put("expression", analysis.source(watermark.getWatermarkStrategy()));
        SqlText.put(out, watermark.getEventTimeColumnName().getParserPosition());
        queries.expr(watermark.getWatermarkStrategy());
        return out;
    }

    private ObjectNode distribution(SqlDistribution distribution) {
        ObjectNode out = Analysis.JSON.objectNode();
        distribution.getDistributionKind().ifPresent(kind -> out.put("kind", kind));
        ArrayNode columns = out.putArray("columns");
        if (distribution.getBucketColumns() != null)
            for (SqlNode column : distribution.getBucketColumns()) columns.add(((SqlIdentifier) column).getSimple());
        if (distribution.getBucketCount() != null)
            out.put("buckets", distribution.getBucketCount().intValue(true));
        SqlText.put(out, distribution.getParserPosition());
        return out;
    }

    private ObjectNode like(SqlTableLike like) {
        ObjectNode out = Analysis.JSON.objectNode();
        out.set("path", Analysis.path(like.getSourceTable()));
        ArrayNode options = out.putArray("options");
        for (SqlTableLike.SqlTableLikeOption option : like.getOptions()) {
            ObjectNode o = options.addObject();
            o.put("strategy", option.getMergingStrategy().name());
            o.put("feature", option.getFeatureOption().name());
        }
        analysis.reference("TABLE", "like", like.getSourceTable());
        return out;
    }

    /** WITH ('k' = 'v', …) or ALTER TABLE … SET (…): an object in the order written, each also an option */
    ObjectNode options(SqlNodeList list, String scope) {
        ObjectNode out = Analysis.JSON.objectNode();
        if (list == null) return out;
        for (SqlNode node : list) {
            SqlTableOption option = (SqlTableOption) node;
            out.put(option.getKeyString(), option.getValueString());
            analysis.option(scope, option.getKeyString(), option.getValueString(), option.getParserPosition());
        }
        return out;
    }
}
