package io.riffle.sqlanalyzer;

import org.apache.calcite.config.Lex;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImpl;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImplTokenManager;
import org.apache.flink.sql.parser.impl.RiffleCharStream;
import org.apache.flink.sql.parser.validate.FlinkSqlConformance;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.command.ResetOperation;
import org.apache.flink.table.operations.command.SetOperation;
import org.apache.flink.table.planner.parse.ExtendedParser;

import java.io.Reader;
import java.util.Locale;
import java.util.Optional;

/**
 * POST /v1/analyze: one statement text → its analysis, or why Flink's parser would not take it. Parsing is
 * Flink's own, as its ParserImpl does it for the SQL Gateway: the regex-recognised commands first (`SET k =
 * v`, `RESET k`, HELP, QUIT, CLEAR), then FlinkSqlParserImpl with the config of PlannerContext
 * (FlinkSqlConformance.DEFAULT, Lex.JAVA, identifiers up to 256 characters) as a statement list, of which
 * exactly one statement is accepted. Bounded three ways: the text (tokens, nesting: TextScan, before the
 * parser), the parse (a deadline on the reader) and the walk (depth), each answered as too_complex.
 */
final class StatementAnalyzer {
    static final int VERSION = 1;
    static final SqlParser.Config PARSER_CONFIG = SqlParser.config()
            .withParserFactory(FlinkSqlParserImpl.FACTORY)
            .withConformance(FlinkSqlConformance.DEFAULT)
            .withLex(Lex.JAVA)
            .withIdentifierMaxLength(256);
    /** Calcite lists every token it expected (150 and more): the first few help */
    private static final int EXPECTED_SHOWN = 12;

    private final TextScan.Limits serverLimits;
    private final long parseTimeoutNanos;

    StatementAnalyzer(TextScan.Limits serverLimits, long parseTimeoutNanos) {
        this.serverLimits = serverLimits;
        this.parseTimeoutNanos = parseTimeoutNanos;
    }

    ObjectNode analyze(String sql, TextScan.Limits requested) {
        TextScan.Limits limits = requested == null ? serverLimits : requested.within(serverLimits);
        ObjectNode answer = Analysis.JSON.objectNode();
        answer.put("version", VERSION);
        ObjectNode timing = Analysis.JSON.objectNode();
        long t0 = System.nanoTime();
        SqlText text = new SqlText(sql);
        TextScan scan = TextScan.scan(text, limits);
        long t1 = System.nanoTime();
        timing.put("lexMicros", (t1 - t0) / 1000);
        ObjectNode measures = answer.putObject("measures");
        measures.put("tokens", scan.tokens);
        measures.put("nesting", scan.maxNesting);
        if (scan.issue != null) answer.set("issue", scan.issue);
        try {
            if (scan.tooComplex != null) answer.set("error", tooComplex(scan.tooComplex));
            else if (scan.tokens == 0) answer.set("error", error("empty", "The statement has no SQL in it, only whitespace or comments."));
            else analyzeParsed(sql, text, scan, limits, answer, timing, t1);
        } finally {
            answer.set("timing", timing);
        }
        return answer;
    }

    private void analyzeParsed(String sql, SqlText text, TextScan scan, TextScan.Limits limits, ObjectNode answer,
            ObjectNode timing, long started) {
        Optional<Operation> command = ExtendedParser.INSTANCE.parse(sql);
        if (command.isPresent()) {
            answer.set("analysis", command(command.get(), scan));
            return;
        }
        SqlNodeList statements;
        try {
            statements = parse(new DeadlineReader(sql, started + parseTimeoutNanos));
        } catch (SqlParseException e) {
            answer.set("error", parseError(e));
            return;
        } catch (StackOverflowError | DeadlineReader.Exceeded e) {
            answer.set("error", stackOrDeadline(e));
            return;
        } finally {
            timing.put("parseMicros", (System.nanoTime() - started) / 1000);
        }
        if (statements.size() == 0) {
            answer.set("error", error("empty", "The statement has no SQL in it, only semicolons."));
            return;
        }
        if (statements.size() > 1) {
            ObjectNode error = error("multiple_statements", statements.size() + " statements");
            error.put("count", statements.size());
            SqlText.put(error, statements.get(1).getParserPosition());
            answer.set("error", error);
            return;
        }
        long walkStarted = System.nanoTime();
        Analysis analysis = new Analysis(text, limits.maxDepth);
        ObjectNode out = Analysis.JSON.objectNode();
        try {
            new StatementDescriber(analysis, scan).describe(statements.get(0), out);
        } catch (Analysis.TooComplex e) {
            ObjectNode error = error("too_complex", "The statement is nested or chained deeper than " + e.limit + " levels.");
            error.put("measure", "depth");
            error.put("limit", e.limit);
            answer.set("error", error);
            return;
        } catch (StackOverflowError e) {
            answer.set("error", stackOrDeadline(e));
            return;
        } catch (RuntimeException e) {
            if (StatementValidator.isEnvironmentFailure(e)) throw e;
            // Flink's parser built a tree its own classes cannot read back: Flink would fail on it too
            ObjectNode error = error("syntax", "Flink cannot read this statement: " + e.getMessage());
            SqlText.put(error, statements.get(0).getParserPosition());
            answer.set("error", error);
            return;
        } finally {
            timing.put("walkMicros", (System.nanoTime() - walkStarted) / 1000);
        }
        ((ObjectNode) answer.get("measures")).put("depth", analysis.deepest);
        finish(out, analysis, scan);
        answer.set("analysis", out);
    }

    /**
     * A statement list, parsed as Calcite's SqlParser.create(reader, PARSER_CONFIG).parseStmtList() parses it,
     * on RiffleCharStream (which reads long tokens in linear time) instead of JavaCC's stream.
     */
    static SqlNodeList parse(Reader reader) throws SqlParseException {
        FlinkSqlParserImpl parser = new FlinkSqlParserImpl(new FlinkSqlParserImplTokenManager(new RiffleCharStream(reader)));
        parser.setQuotedCasing(PARSER_CONFIG.quotedCasing());
        parser.setUnquotedCasing(PARSER_CONFIG.unquotedCasing());
        parser.setIdentifierMaxLength(PARSER_CONFIG.identifierMaxLength());
        parser.setConformance(PARSER_CONFIG.conformance());
        parser.switchTo(SqlAbstractParserImpl.LexicalState.forConfig(PARSER_CONFIG));
        try {
            return parser.parseSqlStmtList();
        } catch (Throwable e) {
            if (e instanceof Error && !(e instanceof org.apache.flink.sql.parser.impl.TokenMgrError)) throw (Error) e;
            throw parser.normalizeException(e);
        }
    }

    /** SET / RESET / HELP / QUIT / CLEAR as Flink's ExtendedParser recognised them */
    private static ObjectNode command(Operation operation, TextScan scan) {
        ObjectNode out = Analysis.JSON.objectNode();
        String name = operation.getClass().getSimpleName().replace("Operation", "").toUpperCase(Locale.ROOT);
        out.put("kind", name);
        out.put("node", operation.getClass().getSimpleName());
        ArrayNode options = Analysis.JSON.arrayNode();
        if (operation instanceof SetOperation && ((SetOperation) operation).getKey().isPresent()) {
            ObjectNode option = options.addObject();
            option.put("scope", "SET");
            option.put("key", ((SetOperation) operation).getKey().get());
            option.put("value", ((SetOperation) operation).getValue().orElse(""));
        } else if (operation instanceof ResetOperation && ((ResetOperation) operation).getKey().isPresent()) {
            ObjectNode option = options.addObject();
            option.put("scope", "RESET");
            option.put("key", ((ResetOperation) operation).getKey().get());
            option.putNull("value");
        }
        out.set("references", Analysis.JSON.arrayNode());
        out.set("options", options);
        out.set("hints", Analysis.JSON.arrayNode());
        out.set("features", Analysis.JSON.arrayNode());
        out.set("text", span(scan));
        return out;
    }

    private static void finish(ObjectNode out, Analysis analysis, TextScan scan) {
        out.set("text", span(scan));
        out.set("references", analysis.references);
        out.set("options", analysis.options);
        out.set("hints", analysis.hints);
        ArrayNode features = out.putArray("features");
        analysis.features.forEach(features::add);
    }

    private static ObjectNode span(TextScan scan) {
        ObjectNode span = Analysis.JSON.objectNode();
        span.put("start", Math.max(0, scan.start));
        span.put("end", Math.max(0, scan.end));
        return span;
    }

    private ObjectNode parseError(SqlParseException e) {
        if (hasCause(e, DeadlineReader.Exceeded.class) || hasCause(e, StackOverflowError.class))
            return stackOrDeadline(hasCause(e, StackOverflowError.class) ? new StackOverflowError() : new DeadlineReader.Exceeded());
        String message = String.valueOf(e.getMessage());
        int cut = message.indexOf("\nWas expecting");
        if (cut < 0) cut = message.indexOf("\nWas expecting one of");
        ObjectNode error = error("syntax", (cut > 0 ? message.substring(0, cut) : message).trim());
        SqlParserPos pos = e.getPos();
        if (pos != null && pos.getLineNum() > 0) SqlText.put(error, pos);
        else {
            error.put("line", 1);
            error.put("column", 1);
        }
        if (e.getExpectedTokenNames() != null && !e.getExpectedTokenNames().isEmpty()) {
            ArrayNode expected = error.putArray("expected");
            e.getExpectedTokenNames().stream().sorted().limit(EXPECTED_SHOWN).forEach(expected::add);
            error.put("expectedCount", e.getExpectedTokenNames().size());
        }
        return error;
    }

    private ObjectNode stackOrDeadline(Throwable e) {
        boolean deadline = e instanceof DeadlineReader.Exceeded;
        ObjectNode error = error("too_complex", deadline
                ? "The statement took longer than " + parseTimeoutNanos / 1_000_000 + " ms to parse."
                : "The statement is nested too deeply to parse.");
        error.put("measure", deadline ? "parse_time" : "stack");
        if (deadline) error.put("limit", parseTimeoutNanos / 1_000_000);
        return error;
    }

    private static ObjectNode tooComplex(ObjectNode bound) {
        String measure = bound.get("measure").asText();
        ObjectNode error = error("too_complex", "The statement has more " + (measure.equals("tokens")
                ? "words, numbers and symbols" : "levels of ( [ { nesting") + " than " + bound.get("limit").asInt() + ".");
        error.setAll(bound);
        return error;
    }

    static ObjectNode error(String kind, String message) {
        ObjectNode error = Analysis.JSON.objectNode();
        error.put("kind", kind);
        error.put("message", message);
        return error;
    }

    private static boolean hasCause(Throwable e, Class<?> type) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return true;
            if (c.getCause() == c) break;
        }
        return false;
    }

    /**
     * Hands the text to JavaCC's character stream in chunks and gives up once the deadline has passed: the
     * stream refills as the parse advances, so long input cannot keep a worker for long. (An IOException
     * would read as the end of the input, hence the unchecked exception.)
     */
    static final class DeadlineReader extends Reader {
        private final String text;
        private final long deadlineNanos;
        private int next;

        DeadlineReader(String text, long deadlineNanos) {
            this.text = text;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (System.nanoTime() > deadlineNanos) throw new Exceeded();
            if (next >= text.length()) return -1;
            int n = Math.min(length, text.length() - next);
            text.getChars(next, next + n, buffer, offset);
            next += n;
            return n;
        }

        @Override
        public void close() {}

        static final class Exceeded extends RuntimeException {
            Exceeded() {
                super("parse deadline exceeded", null, false, false);
            }
        }
    }
}
