package io.riffle.sqlanalyzer;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.sql.parser.ddl.SqlAddJar;
import org.apache.flink.sql.parser.ddl.SqlAlterTable;
import org.apache.flink.sql.parser.ddl.SqlAlterView;
import org.apache.flink.sql.parser.ddl.SqlCreateCatalog;
import org.apache.flink.sql.parser.ddl.SqlCreateDatabase;
import org.apache.flink.sql.parser.ddl.SqlCreateFunction;
import org.apache.flink.sql.parser.ddl.SqlCreateTable;
import org.apache.flink.sql.parser.ddl.SqlCreateTableAs;
import org.apache.flink.sql.parser.ddl.SqlCreateTableLike;
import org.apache.flink.sql.parser.ddl.SqlCreateView;
import org.apache.flink.sql.parser.ddl.SqlDropTable;
import org.apache.flink.sql.parser.ddl.SqlDropView;
import org.apache.flink.sql.parser.ddl.SqlRemoveJar;
import org.apache.flink.sql.parser.ddl.SqlReplaceTableAs;
import org.apache.flink.sql.parser.ddl.SqlReset;
import org.apache.flink.sql.parser.ddl.SqlSet;
import org.apache.flink.sql.parser.ddl.SqlUseCatalog;
import org.apache.flink.sql.parser.ddl.SqlUseDatabase;
import org.apache.flink.sql.parser.ddl.resource.SqlResource;
import org.apache.flink.sql.parser.dml.RichSqlInsert;
import org.apache.flink.sql.parser.dml.SqlExecute;
import org.apache.flink.sql.parser.dml.SqlStatementSet;
import org.apache.flink.sql.parser.dql.SqlDescribeCatalog;
import org.apache.flink.sql.parser.dql.SqlDescribeDatabase;
import org.apache.flink.sql.parser.dql.SqlRichDescribeTable;
import org.apache.flink.sql.parser.dql.SqlRichExplain;
import org.apache.flink.sql.parser.dql.SqlShowCall;
import org.apache.flink.sql.parser.dql.SqlShowColumns;
import org.apache.flink.sql.parser.dql.SqlShowCreate;
import org.apache.flink.sql.parser.dql.SqlShowCreateCatalog;
import org.apache.flink.sql.parser.dql.SqlShowCreateModel;
import org.apache.flink.sql.parser.dql.SqlShowCreateView;
import org.apache.flink.sql.parser.dql.SqlShowDatabases;
import org.apache.flink.sql.parser.dql.SqlShowTables;

import java.util.Locale;
import java.util.Map;

/**
 * Describes one statement Flink's parser accepted: its `kind` (named after the parser's node, e.g. SELECT,
 * INSERT, CREATE TABLE AS, ALTER TABLE ADD, SHOW CREATE TABLE, ADD JAR), what it refers to and sets
 * (Analysis), and for DDL, views, EXPLAIN, statement sets and a few refused kinds what a policy or Riffle's
 * catalog needs to know. Statements without a case here are still named and their names listed (type
 * OBJECT), so a policy that allows kinds one by one refuses them without knowing them.
 */
final class StatementDescriber {
    private static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("RichSqlInsert", "INSERT"),
            Map.entry("SqlStatementSet", "STATEMENT SET"),
            Map.entry("SqlCreateTable", "CREATE TABLE"),
            Map.entry("SqlCreateTableAs", "CREATE TABLE AS"),
            Map.entry("SqlCreateTableLike", "CREATE TABLE LIKE"),
            Map.entry("SqlRichExplain", "EXPLAIN"),
            Map.entry("SqlRichDescribeTable", "DESCRIBE"),
            Map.entry("SqlUseDatabase", "USE"),
            Map.entry("SqlAlterTableOptions", "ALTER TABLE SET"),
            Map.entry("SqlAlterTableDropColumn", "ALTER TABLE DROP COLUMN"),
            Map.entry("SqlAddPartitions", "ALTER TABLE ADD PARTITION"),
            Map.entry("SqlDropPartitions", "ALTER TABLE DROP PARTITION"),
            Map.entry("SqlAlterViewProperties", "ALTER VIEW SET"),
            Map.entry("SqlAlterViewAs", "ALTER VIEW AS"),
            Map.entry("SqlAlterViewRename", "ALTER VIEW RENAME"));

    private final Analysis analysis;
    private final TextScan scan;
    private final QueryWalker queries;
    private final TableDdl tables;

    StatementDescriber(Analysis analysis, TextScan scan) {
        this.analysis = analysis;
        this.scan = scan;
        this.queries = new QueryWalker(analysis);
        this.tables = new TableDdl(analysis, queries, scan);
    }

    /** `kind` and the details of a statement into `out`; references, options and hints into the analysis */
    void describe(SqlNode node, ObjectNode out) {
        out.put("kind", kindOf(node));
        out.put("node", node.getClass().getSimpleName());
        if (node instanceof SqlExecute) {
            describe(((SqlExecute) node).getStatement(), out);
            out.put("execute", true);
        } else if (node instanceof SqlRichExplain) {
            SqlRichExplain explain = (SqlRichExplain) node;
            ArrayNode details = out.putArray("explainDetails");
            explain.getExplainDetails().forEach(details::add);
            describe(explain.getStatement(), out.putObject("explained"));
        } else if (node instanceof SqlStatementSet) {
            ArrayNode members = out.putArray("members");
            for (RichSqlInsert insert : ((SqlStatementSet) node).getInserts()) describe(insert, members.addObject());
        } else if (node instanceof SqlInsert) {
            insert((SqlInsert) node, out);
        } else if (node instanceof SqlCreateTable) {
            SqlCreateTable create = (SqlCreateTable) node;
            boolean as = create instanceof SqlCreateTableAs || create instanceof SqlReplaceTableAs;
            analysis.reference("TABLE", as ? "write" : "create", create.getTableName());
            out.set("table", tables.create(create));
            SqlNode query = TableDdl.asQuery(create);
            if (query != null) {
                queries.query(query);
                out.set("query", span(query));
            }
        } else if (node instanceof SqlCreateView) {
            view((SqlCreateView) node, out);
        } else if (node instanceof SqlAlterTable) {
            SqlAlterTable alter = (SqlAlterTable) node;
            analysis.reference("TABLE", "alter", alter.getTableName());
            out.set("table", tables.alter(alter));
        } else if (node instanceof SqlDropTable) {
            SqlDropTable drop = (SqlDropTable) node;
            analysis.reference("TABLE", "drop", drop.getTableName());
            dropped(out, drop.getIfExists(), drop.isTemporary());
        } else if (node instanceof SqlDropView) {
            SqlDropView drop = (SqlDropView) node;
            analysis.reference("VIEW", "drop", drop.getViewName());
            dropped(out, drop.getIfExists(), drop.isTemporary());
        } else if (node instanceof SqlAlterView) {
            analysis.reference("VIEW", "alter", ((SqlAlterView) node).getViewIdentifier());
            generic(node);
        } else if (node instanceof SqlSet) {
            SqlSet set = (SqlSet) node;
            if (set.getKey() != null) analysis.option("SET", set.getKeyString(), set.getValueString(), set.getKey().getParserPosition());
        } else if (node instanceof SqlReset) {
            SqlReset reset = (SqlReset) node;
            if (reset.getKey() != null) analysis.option("RESET", reset.getKeyString(), null, reset.getKey().getParserPosition());
        } else if (QueryWalker.isQuery(node)) {
            queries.query(node);
        } else {
            other(node, out);
        }
    }

    private void insert(SqlInsert insert, ObjectNode out) {
        if (insert instanceof RichSqlInsert) {
            RichSqlInsert rich = (RichSqlInsert) insert;
            SqlIdentifier target = (SqlIdentifier) rich.getTargetTableID();
            analysis.reference("TABLE", "write", target);
            if (rich.getTableHints() != null)
                for (SqlNode hint : rich.getTableHints()) queries.hint((org.apache.calcite.sql.SqlHint) hint, target);
            out.put("overwrite", rich.isOverwrite());
            if (rich.getStaticPartitions() != null && rich.getStaticPartitions().size() > 0) out.put("staticPartitions", true);
        } else if (insert.getTargetTable() instanceof SqlIdentifier) {
            analysis.reference("TABLE", "write", (SqlIdentifier) insert.getTargetTable());
        }
        if (insert.getTargetColumnList() != null) {
            ArrayNode columns = out.putArray("targetColumns");
            for (SqlNode column : insert.getTargetColumnList()) columns.add(column.toString());
        }
        queries.query(insert.getSource());
    }

    private void view(SqlCreateView create, ObjectNode out) {
        analysis.reference("VIEW", "create", create.getViewName());
        ObjectNode view = out.putObject("view");
        view.set("path", Analysis.path(create.getViewName()));
        view.put("temporary", create.isTemporary());
        view.put("ifNotExists", create.isIfNotExists());
        ArrayNode columns = view.putArray("columns");
        if (create.getFieldList() != null)
            for (SqlNode field : create.getFieldList()) columns.add(((SqlIdentifier) field).getSimple());
        create.getComment().ifPresent(c -> view.put("comment", c.getValueAs(String.class)));
        create.getProperties().ifPresent(p -> view.set("options", tables.options(p, "WITH")));
        queries.query(create.getQuery());
        out.set("query", span(create.getQuery()));
    }

    private static void dropped(ObjectNode out, boolean ifExists, boolean temporary) {
        ObjectNode drop = out.putObject("drop");
        drop.put("ifExists", ifExists);
        drop.put("temporary", temporary);
    }

    /** statements without their own case: what they name, and whatever queries or expressions they hold */
    private void other(SqlNode node, ObjectNode out) {
        SqlParserPos pos = node.getParserPosition();
        if (node instanceof SqlShowCall) {
            SqlShowCall show = (SqlShowCall) node;
            ObjectNode shown = out.putObject("show");
            if (!show.getSqlIdentifierNameList().isEmpty()) {
                String type = node instanceof SqlShowColumns ? "TABLE" : node instanceof SqlShowDatabases ? "CATALOG" : "DATABASE";
                analysis.reference(type, "show", Analysis.path(show.getSqlIdentifierNameList()), pos);
                shown.set("path", Analysis.path(show.getSqlIdentifierNameList()));
            }
            if (show.isWithLike()) {
                ObjectNode like = shown.putObject("like");
                like.put("pattern", show.getLikeSqlPattern());
                like.put("not", show.isNotLike());
                like.put("caseInsensitive", "ILIKE".equalsIgnoreCase(show.getLikeType()));
            }
        } else if (node instanceof SqlShowCreate) {
            String type = node instanceof SqlShowCreateView ? "VIEW" : node instanceof SqlShowCreateCatalog ? "CATALOG"
                    : node instanceof SqlShowCreateModel ? "MODEL" : "TABLE";
            named(node, type, "describe");
        } else if (node instanceof SqlRichDescribeTable) {
            named(node, "TABLE", "describe");
            out.put("extended", ((SqlRichDescribeTable) node).isExtended());
        } else if (node instanceof SqlDescribeDatabase) {
            named(node, "DATABASE", "describe");
        } else if (node instanceof SqlDescribeCatalog) {
            named(node, "CATALOG", "describe");
        } else if (node instanceof SqlUseDatabase) {
            analysis.reference("DATABASE", "use", ((SqlUseDatabase) node).getDatabaseName());
        } else if (node instanceof SqlUseCatalog) {
            analysis.reference("CATALOG", "use", ((SqlUseCatalog) node).getCatalogName());
        } else if (node instanceof SqlCreateCatalog) {
            analysis.reference("CATALOG", "create", ((SqlCreateCatalog) node).getCatalogName());
            tables.options(((SqlCreateCatalog) node).getPropertyList(), "WITH");
        } else if (node instanceof SqlCreateDatabase) {
            analysis.reference("DATABASE", "create", ((SqlCreateDatabase) node).getDatabaseName());
            tables.options(((SqlCreateDatabase) node).getPropertyList(), "WITH");
        } else if (node instanceof SqlCreateFunction) {
            function((SqlCreateFunction) node, out);
        } else if (node instanceof SqlAddJar) {
            out.put("jar", ((SqlAddJar) node).getPath());
        } else if (node instanceof SqlRemoveJar) {
            out.put("jar", ((SqlRemoveJar) node).getPath());
        } else if (node instanceof SqlDelete) {
            if (((SqlDelete) node).getTargetTable() instanceof SqlIdentifier)
                analysis.reference("TABLE", "write", (SqlIdentifier) ((SqlDelete) node).getTargetTable());
            queries.expr(((SqlDelete) node).getCondition());
        } else if (node instanceof SqlUpdate) {
            if (((SqlUpdate) node).getTargetTable() instanceof SqlIdentifier)
                analysis.reference("TABLE", "write", (SqlIdentifier) ((SqlUpdate) node).getTargetTable());
            queries.expr(((SqlUpdate) node).getCondition());
        } else {
            generic(node);
        }
    }

    private void named(SqlNode node, String type, String use) {
        for (SqlNode operand : ((SqlCall) node).getOperandList())
            if (operand instanceof SqlIdentifier) {
                analysis.reference(type, use, (SqlIdentifier) operand);
                return;
            }
    }

    private void function(SqlCreateFunction create, ObjectNode out) {
        analysis.reference("FUNCTION", "create", Analysis.path(java.util.Arrays.asList(create.getFunctionIdentifier())), create.getParserPosition());
        ObjectNode function = out.putObject("function");
        function.put("className", create.getFunctionClassName().getValueAs(String.class));
        function.put("language", create.getFunctionLanguage());
        function.put("temporary", create.isTemporary());
        ArrayNode using = function.putArray("using");
        for (SqlNode resource : create.getResourceInfos())
            using.add(((SqlResource) resource).getResourcePath().getValueAs(String.class));
        tables.options(create.getPropertyList(), "WITH");
    }

    /** the identifiers among a node's operands (type OBJECT), and any query or expression inside it */
    private void generic(SqlNode node) {
        if (!(node instanceof SqlCall)) return;
        for (SqlNode operand : ((SqlCall) node).getOperandList()) {
            if (operand instanceof SqlIdentifier) analysis.reference("OBJECT", "other", (SqlIdentifier) operand);
            else if (operand instanceof SqlNodeList || operand instanceof SqlCall) queries.expr(operand);
        }
    }

    /** UTF-16 offsets of a clause that runs to the end of the statement (the query of CTAS and views) */
    private ObjectNode span(SqlNode query) {
        ObjectNode span = Analysis.JSON.objectNode();
        int[] first = {Integer.MAX_VALUE, Integer.MAX_VALUE};
        earliest(query, first, 0);
        span.put("start", scan.clauseStart(analysis.text.offset(first[0], first[1])));
        span.put("end", scan.end);
        return span;
    }

    private static void earliest(SqlNode node, int[] first, int depth) {
        if (node == null || depth > 10_000) return;
        SqlParserPos pos = node.getParserPosition();
        if (pos.getLineNum() > 0 && (pos.getLineNum() < first[0] || (pos.getLineNum() == first[0] && pos.getColumnNum() < first[1]))) {
            first[0] = pos.getLineNum();
            first[1] = pos.getColumnNum();
        }
        if (node instanceof SqlNodeList) for (SqlNode item : (SqlNodeList) node) earliest(item, first, depth + 1);
        else if (node instanceof SqlCall) {
            try {
                for (SqlNode operand : ((SqlCall) node).getOperandList()) earliest(operand, first, depth + 1);
            } catch (UnsupportedOperationException ignored) {
                // a call without operands to look into
            }
        }
    }

    /** SqlShowCreateTable → SHOW CREATE TABLE, a query → SELECT, RichSqlInsert → INSERT, … */
    static String kindOf(SqlNode node) {
        if (QueryWalker.isQuery(node)) return "SELECT";
        if (node.getKind() == SqlKind.PROCEDURE_CALL) return "CALL";
        if (node instanceof SqlExecute) return kindOf(((SqlExecute) node).getStatement());
        if (node instanceof SqlReplaceTableAs)
            return ((SqlReplaceTableAs) node).isCreateOrReplace() ? "CREATE OR REPLACE TABLE AS" : "REPLACE TABLE AS";
        if (node instanceof SqlShowTables) {
            SqlShowTables.SqlTableKind kind = ((SqlShowTables) node).getTableKind();
            return kind == SqlShowTables.SqlTableKind.VIEW ? "SHOW VIEWS"
                    : kind == SqlShowTables.SqlTableKind.MATERIALIZED_TABLE ? "SHOW MATERIALIZED TABLES" : "SHOW TABLES";
        }
        String simple = node.getClass().getSimpleName();
        String known = KINDS.get(simple);
        if (known != null) return known;
        String name = simple.replaceFirst("^Sql", "").replaceFirst("^Rich", "");
        return name.replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT);
    }
}
