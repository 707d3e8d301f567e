package io.riffle.sqlanalyzer;

import org.apache.calcite.runtime.CalciteContextException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.SqlParserException;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.CatalogManager;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.UnresolvedIdentifier;
import org.apache.flink.table.operations.ExplainOperation;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.StatementSetOperation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * POST /v1/validate: semantic validation (and, asked for, the optimized plan) with Flink's own planner,
 * embedded. Each worker thread keeps one streaming TableEnvironment (not thread-safe); each request runs its
 * `setup` (the catalogs, databases, tables and views Riffle installs in the statement's gateway session),
 * applies its `config`, then:
 *
 * <ul>
 *   <li>validates the statement: Flink's ParserImpl parses it, Calcite validates it and it is converted to
 *       an Operation (for a query also to a plan of relational operators), exactly what the gateway does
 *       before running anything; nothing runs and no connector is contacted;
 *   <li>`explain`: plans it like EXPLAIN (the optimized physical plan with changelog modes) and reads, for
 *       each sink or query, the changelog mode it consumes and its upsert keys (PlanSummary);
 *   <li>`execute`: runs a DDL statement against the request's in-memory catalogs and describes `describe`
 *       afterwards, e.g. what CREATE TABLE … LIKE or ALTER TABLE … ADD make of a table.
 * </ul>
 *
 * Everything a request creates is dropped after it: its catalogs are unregistered, its config keys restored,
 * and a session a statement may have changed otherwise (executed DDL, a failure) is replaced by a new one.
 */
final class StatementValidator {
    private static final Pattern AT_LINE = Pattern.compile("at line (\\d+), column (\\d+)");
    private static final String DEFAULT_CATALOG = "default_catalog";

    private TableEnvironment environment;
    private Map<String, String> initialConfig;
    /** set when a request may have left something behind that cleaning up does not reach */
    private boolean dirty = true;

    private TableEnvironmentInternal environment() {
        if (dirty || environment == null) {
            environment = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().build());
            initialConfig = environment.getConfig().getConfiguration().toMap();
            dirty = false;
        }
        return (TableEnvironmentInternal) environment;
    }

    ObjectNode validate(JsonNode request) {
        ObjectNode answer = Analysis.JSON.objectNode();
        answer.put("version", StatementAnalyzer.VERSION);
        String statement = request.path("statement").asText("");
        boolean explain = request.path("explain").asBoolean(false);
        boolean execute = request.path("execute").asBoolean(false);
        long t0 = System.nanoTime();
        TableEnvironmentInternal env = environment();
        Set<String> configured = new HashSet<>();
        ObjectNode timing = answer.putObject("timing");
        try {
            request.path("config").fields().forEachRemaining(e -> {
                env.getConfig().getConfiguration().setString(e.getKey(), e.getValue().asText());
                configured.add(e.getKey());
            });
            int index = 0;
            for (JsonNode setup : request.path("setup")) {
                try {
                    env.executeSql(setup.asText());
                } catch (RuntimeException e) {
                    if (isEnvironmentFailure(e)) throw e;
                    ObjectNode error = error(e);
                    error.put("kind", "setup");
                    error.put("setupIndex", index);
                    answer.put("valid", false);
                    answer.set("error", error);
                    dirty = true;
                    return answer;
                }
                index++;
            }
            long t1 = System.nanoTime();
            timing.put("setupMicros", (t1 - t0) / 1000);
            List<Operation> operations;
            try {
                operations = env.getParser().parse(statement);
            } catch (RuntimeException e) {
                if (isEnvironmentFailure(e)) throw e;
                answer.put("valid", false);
                answer.set("error", error(e));
                return answer;
            } finally {
                timing.put("validateMicros", (System.nanoTime() - t1) / 1000);
            }
            Operation operation = operations.get(0);
            answer.put("operation", operation.getClass().getSimpleName());
            if (operation instanceof QueryOperation)
                answer.set("schema", Describe.schema(((QueryOperation) operation).getResolvedSchema()));
            try {
                long t2 = System.nanoTime();
                if (explain && explainable(operation)) answer.set("plan", explain(env, operation));
                if (execute) {
                    dirty = true; // whatever the statement creates stays in this session otherwise
                    env.executeInternal(operation);
                    for (JsonNode path : request.path("describe")) answer.withArray("described").add(describe(env, path));
                }
                timing.put("planMicros", (System.nanoTime() - t2) / 1000);
            } catch (RuntimeException e) {
                if (isEnvironmentFailure(e)) throw e;
                dirty = true;
                answer.put("valid", false);
                answer.set("error", error(e));
                return answer;
            }
            answer.put("valid", true);
            return answer;
        } catch (RuntimeException | Error e) {
            dirty = true;
            throw e;
        } finally {
            cleanUp(env, configured);
        }
    }

    private static boolean explainable(Operation operation) {
        return operation instanceof QueryOperation || operation instanceof ModifyOperation
                || operation instanceof StatementSetOperation || operation instanceof ExplainOperation;
    }

    private ObjectNode explain(TableEnvironmentInternal env, Operation operation) {
        Set<String> requested = new HashSet<>();
        Operation target = operation;
        if (operation instanceof ExplainOperation) {
            requested.addAll(((ExplainOperation) operation).getExplainDetails());
            target = ((ExplainOperation) operation).getChild();
        }
        List<Operation> targets = target instanceof StatementSetOperation
                ? new ArrayList<>(((StatementSetOperation) target).getOperations())
                : List.of(target);
        List<ExplainDetail> details = new ArrayList<>();
        details.add(ExplainDetail.CHANGELOG_MODE);
        for (String detail : requested) {
            ExplainDetail d = ExplainDetail.valueOf(detail.toUpperCase(Locale.ROOT));
            if (!details.contains(d)) details.add(d);
        }
        ObjectNode plan = Analysis.JSON.objectNode();
        plan.put("text", env.explainInternal(targets, details.toArray(new ExplainDetail[0])));
        plan.set("outputs", PlanSummary.outputs(env, targets));
        return plan;
    }

    private ObjectNode describe(TableEnvironmentInternal env, JsonNode path) {
        List<String> parts = new ArrayList<>();
        path.forEach(p -> parts.add(p.asText()));
        CatalogManager catalogs = env.getCatalogManager();
        ObjectIdentifier id = catalogs.qualifyIdentifier(UnresolvedIdentifier.of(parts));
        ObjectNode out = Analysis.JSON.objectNode();
        out.set("path", Analysis.path(List.of(id.getCatalogName(), id.getDatabaseName(), id.getObjectName())));
        catalogs.getTable(id).ifPresentOrElse(table -> Describe.table(table, out), () -> out.put("exists", false));
        return out;
    }

    private void cleanUp(TableEnvironmentInternal env, Set<String> configured) {
        try {
            Configuration config = env.getConfig().getConfiguration();
            for (String key : configured) {
                String initial = initialConfig.get(key);
                if (initial == null) config.removeKey(key);
                else config.setString(key, initial);
            }
            CatalogManager catalogs = env.getCatalogManager();
            if (!catalogs.listTemporaryTables().isEmpty() || !catalogs.listTemporaryViews().isEmpty()) dirty = true;
            catalogs.setCurrentCatalog(DEFAULT_CATALOG);
            catalogs.setCurrentDatabase(catalogs.getBuiltInDatabaseName());
            for (String name : new ArrayList<>(catalogs.listCatalogs()))
                if (!name.equals(DEFAULT_CATALOG)) catalogs.unregisterCatalog(name, true);
        } catch (RuntimeException e) {
            dirty = true;
        }
    }

    /**
     * Failures of the analyzer itself (a class that did not load, a service file missing), never the
     * statement's: rethrown, so the caller answers 500 and Riffle does not blame the user.
     */
    static boolean isEnvironmentFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof LinkageError || c instanceof ClassNotFoundException
                    || c instanceof java.util.ServiceConfigurationError) return true;
            if (c.getCause() == c) break;
        }
        return false;
    }

    /** kind (syntax or validation), Flink's message and, where Calcite knows it, the span */
    static ObjectNode error(Throwable e) {
        ObjectNode error = Analysis.JSON.objectNode();
        error.put("kind", e instanceof SqlParserException ? "syntax" : "validation");
        String message = String.valueOf(e.getMessage());
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CalciteContextException) {
                CalciteContextException context = (CalciteContextException) c;
                error.put("line", context.getPosLine());
                error.put("column", context.getPosColumn());
                error.put("endLine", context.getEndPosLine());
                error.put("endColumn", context.getEndPosColumn());
                if (context.getCause() != null) message = context.getCause().getMessage();
                break;
            }
            if (c.getCause() == c) break;
        }
        if (!error.has("line")) {
            Matcher at = AT_LINE.matcher(message);
            if (at.find()) {
                error.put("line", Integer.parseInt(at.group(1)));
                error.put("column", Integer.parseInt(at.group(2)));
            }
        }
        int expecting = message.indexOf("\nWas expecting");
        if (expecting > 0) message = message.substring(0, expecting);
        error.put("message", message.trim());
        error.put("exception", e.getClass().getName());
        return error;
    }
}
