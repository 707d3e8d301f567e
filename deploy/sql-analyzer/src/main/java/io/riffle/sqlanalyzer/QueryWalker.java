package io.riffle.sqlanalyzer;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlHint;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlMatchRecognize;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSnapshot;
import org.apache.calcite.sql.SqlTableRef;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks queries and expressions: the tables a query reads (FROM items, joins, temporal joins, MATCH_RECOGNIZE,
 * `TABLE t` arguments of table functions such as window TVFs, sub-queries anywhere), the functions it calls,
 * and its hints. A name in FROM that is a WITH item in scope is not a table. Recursive, with the depth of
 * every level counted (Analysis.enter): operator chains (`a + b + …`, `UNION ALL …`) are left-deep trees, so
 * a long chain is deep too, as it is for Flink's validator and planner later.
 */
final class QueryWalker {
    private final Analysis analysis;
    /** WITH items in scope, innermost first */
    private final Deque<Set<String>> cteScopes = new ArrayDeque<>();

    QueryWalker(Analysis analysis) {
        this.analysis = analysis;
    }

    static boolean isQuery(SqlNode node) {
        SqlKind kind = node.getKind();
        return kind.belongsTo(SqlKind.QUERY) || kind == SqlKind.ORDER_BY || kind == SqlKind.WITH || kind == SqlKind.VALUES;
    }

    void query(SqlNode node) {
        if (node == null) return;
        analysis.enter();
        try {
            if (node instanceof SqlSelect) {
                SqlSelect select = (SqlSelect) node;
                if (select.getHints() != null) for (SqlNode hint : select.getHints()) hint((SqlHint) hint, null);
                if (select.isDistinct()) analysis.features.add("DISTINCT");
                if (select.getGroup() != null && select.getGroup().size() > 0) analysis.features.add("GROUP_BY");
                if (select.getOrderList() != null && select.getOrderList().size() > 0) analysis.features.add("ORDER_BY");
                if (select.getFetch() != null || select.getOffset() != null) analysis.features.add("LIMIT");
                from(select.getFrom());
                expr(select.getSelectList());
                expr(select.getWhere());
                expr(select.getGroup());
                expr(select.getHaving());
                expr(select.getWindowList());
                expr(select.getQualify());
                expr(select.getOrderList());
                expr(select.getOffset());
                expr(select.getFetch());
            } else if (node instanceof SqlOrderBy) {
                SqlOrderBy orderBy = (SqlOrderBy) node;
                if (orderBy.orderList != null && orderBy.orderList.size() > 0) analysis.features.add("ORDER_BY");
                if (orderBy.fetch != null || orderBy.offset != null) analysis.features.add("LIMIT");
                query(orderBy.query);
                expr(orderBy.orderList);
                expr(orderBy.offset);
                expr(orderBy.fetch);
            } else if (node instanceof SqlWith) {
                SqlWith with = (SqlWith) node;
                Set<String> scope = new HashSet<>();
                cteScopes.push(scope);
                try {
                    for (SqlNode item : with.withList) {
                        SqlWithItem withItem = (SqlWithItem) item;
                        query(withItem.query); // a WITH item sees the ones before it, not itself
                        scope.add(withItem.name.getSimple());
                    }
                    query(with.body);
                } finally {
                    cteScopes.pop();
                }
            } else if (node instanceof SqlCall && node.getKind().belongsTo(SqlKind.SET_QUERY)) {
                analysis.features.add("SET_OPERATION");
                for (SqlNode operand : ((SqlCall) node).getOperandList()) query(operand);
            } else if (node instanceof SqlCall) {
                for (SqlNode operand : operands((SqlCall) node)) expr(operand); // VALUES (…), (…)
            } else {
                expr(node);
            }
        } finally {
            analysis.leave();
        }
    }

    /** one item of a FROM clause */
    void from(SqlNode node) {
        if (node == null) return;
        analysis.enter();
        try {
            if (node instanceof SqlIdentifier) {
                table((SqlIdentifier) node);
            } else if (node instanceof SqlTableRef) {
                List<SqlNode> operands = ((SqlTableRef) node).getOperandList();
                SqlIdentifier id = (SqlIdentifier) operands.get(0);
                table(id);
                SqlNodeList hints = (SqlNodeList) operands.get(1);
                if (hints != null) for (SqlNode hint : hints) hint((SqlHint) hint, id);
            } else if (node instanceof SqlJoin) {
                SqlJoin join = (SqlJoin) node;
                analysis.features.add(join.getJoinType() == org.apache.calcite.sql.JoinType.COMMA ? "CROSS_JOIN" : "JOIN");
                from(join.getLeft());
                from(join.getRight());
                expr(join.getCondition());
            } else if (node instanceof SqlSnapshot) {
                analysis.features.add("TEMPORAL_JOIN");
                from(((SqlSnapshot) node).getTableRef()); // FOR SYSTEM_TIME AS OF: a temporal join's table
                expr(((SqlSnapshot) node).getPeriod());
            } else if (node instanceof SqlMatchRecognize) {
                SqlMatchRecognize match = (SqlMatchRecognize) node;
                analysis.features.add("MATCH_RECOGNIZE");
                from(match.getTableRef());
                expr(match.getPartitionList());
                expr(match.getOrderList());
                expr(match.getMeasureList());
                expr(match.getPatternDefList());
                expr(match.getSubsetList());
            } else if (node.getKind() == SqlKind.AS) {
                from(((SqlCall) node).operand(0));
            } else if (isQuery(node)) {
                query(node);
            } else {
                expr(node); // LATERAL TABLE(f(x)), TABLE(TUMBLE(TABLE t, …)), UNNEST(…)
            }
        } finally {
            analysis.leave();
        }
    }

    /** an expression: its function calls, sub-queries and `TABLE t` arguments */
    void expr(SqlNode node) {
        if (node == null) return;
        analysis.enter();
        try {
            if (node instanceof SqlNodeList) {
                for (SqlNode item : (SqlNodeList) node) expr(item);
            } else if (node instanceof SqlCall) {
                SqlCall call = (SqlCall) node;
                if (call.getKind() == SqlKind.EXPLICIT_TABLE && call.operand(0) instanceof SqlIdentifier) {
                    table((SqlIdentifier) call.operand(0)); // TABLE t, an argument of a table function
                } else if (isQuery(call)) {
                    query(call);
                } else if (call instanceof SqlJoin || call instanceof SqlSnapshot || call instanceof SqlTableRef
                        || call instanceof SqlMatchRecognize) {
                    from(call);
                } else {
                    if (call.getKind() == SqlKind.OVER) analysis.features.add("OVER");
                    if (call.getFunctionQuantifier() != null && call.getFunctionQuantifier().getValue() == org.apache.calcite.sql.SqlSelectKeyword.DISTINCT)
                        analysis.features.add("DISTINCT");
                    if (call.getOperator() instanceof SqlFunction) function(call);
                    for (SqlNode operand : operands(call)) expr(operand);
                }
            }
        } finally {
            analysis.leave();
        }
    }

    /** a table the query reads (or a view: the parser cannot tell), unless it names a WITH item */
    private void table(SqlIdentifier id) {
        if (id.names.size() == 1) for (Set<String> scope : cteScopes) if (scope.contains(id.getSimple())) return;
        analysis.reference("TABLE", "read", id);
    }

    private void function(SqlCall call) {
        SqlFunction function = (SqlFunction) call.getOperator();
        SqlIdentifier id = function.getSqlIdentifier();
        ArrayNode path = id != null ? Analysis.path(id) : Analysis.path(List.of(function.getName()));
        analysis.reference("FUNCTION", "call", path, call.getParserPosition());
    }

    private static List<SqlNode> operands(SqlCall call) {
        try {
            return call.getOperandList();
        } catch (UnsupportedOperationException e) {
            return List.of();
        }
    }

    /** a hint of a query (table null) or of a table; an OPTIONS hint's pairs are options too */
    void hint(SqlHint hint, SqlIdentifier table) {
        ObjectNode out = analysis.hints.addObject();
        out.put("name", hint.getName());
        if (table != null) out.set("table", Analysis.path(table));
        SqlText.put(out, hint.getParserPosition());
        ObjectNode pairs = out.putObject("options");
        ArrayNode values = out.putArray("values");
        Map<String, String> kvPairs;
        try {
            kvPairs = hint.getOptionFormat() == SqlHint.HintOptionFormat.KV_LIST ? hint.getOptionKVPairs() : null;
        } catch (RuntimeException e) {
            out.put("unreadable", true); // Calcite cannot read its options either (e.g. a continued literal)
            return;
        }
        if (kvPairs != null) {
            for (Map.Entry<String, String> pair : kvPairs.entrySet()) {
                pairs.put(pair.getKey(), pair.getValue());
                if ("OPTIONS".equalsIgnoreCase(hint.getName()))
                    analysis.option("HINT", pair.getKey(), pair.getValue(), hint.getParserPosition());
            }
        } else {
            hint.getOptionList().forEach(values::add);
        }
    }
}
