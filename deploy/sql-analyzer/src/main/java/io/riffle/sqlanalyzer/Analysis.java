package io.riffle.sqlanalyzer;

import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the walk of one statement collects, shared by StatementDescriber (statements, DDL) and QueryWalker
 * (queries and expressions): every name the statement refers to (tables, views, databases, catalogs,
 * functions, …) with how it uses it, every option it sets (WITH, SET, RESET, ALTER TABLE SET/RESET, OPTIONS
 * hints) and every hint. Each reference is listed once per type, use and path, at its first position. The
 * walk is bounded in depth (too_complex beyond it), so no statement can exhaust the worker's stack.
 */
final class Analysis {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    final SqlText text;
    final ArrayNode references = JSON.arrayNode();
    final ArrayNode options = JSON.arrayNode();
    final ArrayNode hints = JSON.arrayNode();
    /** what the statement's queries use that makes a plan stateful: JOIN, GROUP_BY, OVER, DISTINCT, … */
    final Set<String> features = new TreeSet<>();
    private final Set<String> seen = new HashSet<>();
    private final int maxDepth;
    private int depth;
    int deepest;

    Analysis(SqlText text, int maxDepth) {
        this.text = text;
        this.maxDepth = maxDepth;
    }

    /** a name as written: its parts, unquoted, in their case */
    static ArrayNode path(SqlIdentifier id) {
        ArrayNode parts = JSON.arrayNode();
        for (String name : id.names) parts.add(name.isEmpty() ? "*" : name);
        return parts;
    }

    static ArrayNode path(List<String> names) {
        ArrayNode parts = JSON.arrayNode();
        names.forEach(parts::add);
        return parts;
    }

    ObjectNode reference(String type, String use, SqlIdentifier id) {
        return reference(type, use, path(id), id.getParserPosition());
    }

    /** type: TABLE (a table or view), VIEW, DATABASE, CATALOG, FUNCTION, MODEL, MODULE, CONNECTION */
    ObjectNode reference(String type, String use, ArrayNode path, SqlParserPos pos) {
        ObjectNode ref = JSON.objectNode();
        ref.put("type", type);
        ref.put("use", use);
        ref.set("path", path);
        SqlText.put(ref, pos);
        if (seen.add(type + '\0' + use + '\0' + path)) references.add(ref);
        return ref;
    }

    /** scope: WITH, SET, RESET, TABLE_SET, TABLE_RESET or HINT */
    void option(String scope, String key, String value, SqlParserPos pos) {
        ObjectNode option = options.addObject();
        option.put("scope", scope);
        option.put("key", key);
        if (value == null) option.putNull("value");
        else option.put("value", value);
        SqlText.put(option, pos);
    }

    String source(SqlNode node) {
        return text.source(node);
    }

    void enter() {
        if (++depth > maxDepth) throw new TooComplex(maxDepth);
        if (depth > deepest) deepest = depth;
    }

    void leave() {
        depth--;
    }

    /** the statement is nested deeper than the walk allows */
    static final class TooComplex extends RuntimeException {
        final int limit;

        TooComplex(int limit) {
            super("nested deeper than " + limit, null, false, false);
            this.limit = limit;
        }
    }
}
