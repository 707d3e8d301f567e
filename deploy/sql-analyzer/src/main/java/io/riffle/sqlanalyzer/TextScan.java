package io.riffle.sqlanalyzer;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImplConstants;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImplTokenManager;
import org.apache.flink.sql.parser.impl.RiffleCharStream;
import org.apache.flink.sql.parser.impl.Token;
import org.apache.flink.sql.parser.impl.TokenMgrError;

import java.io.StringReader;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pass of Flink's own lexer (the token manager of FlinkSqlParserImpl, in the lexical state Flink's parser
 * config selects: backtick-quoted identifiers) over the text, before the parser sees it. It is linear, so it
 * bounds the work cheaply: more tokens or deeper ( [ { nesting than the limits stop here, before the parser's
 * recursive descent and lookahead. It also reports the facts of the text a policy may refuse although Flink
 * reads them fine, because a person reading the text would not read it the same way (`issue`):
 *
 * <ul>
 *   <li>{@code unsupported_character}: a control, format (zero-width, bidi, BOM), space other than U+0020,
 *       line or paragraph separator, private-use or full-width ASCII character, a CR without LF, or a lone
 *       surrogate, anywhere but inside string literals (comments, hints and quoted identifiers included);
 *   <li>{@code double_slash_comment} (`//` starts a comment), {@code comment_end} (`*&#47;` outside a
 *       comment), {@code double_quote}, {@code unicode_escape} (`U&'…'`), {@code adjacent_strings} (Flink
 *       joins `'a' 'b'` into one literal) and {@code unplain_hint} (a hint with comments, dots, prefixed or
 *       continued strings inside: only names, `quoted` names, plain strings, numbers, ( ) , = are plain).
 * </ul>
 */
final class TextScan {
    /** counts and bounds, for the answer */
    int tokens;
    int maxNesting;
    /** UTF-16 offsets of the statement: first token to last token, trailing semicolons left out */
    int start = -1;
    int end = -1;
    /** start and end offset and kind of each token, in order (`tokens` of them) */
    private int[] tokenStarts = new int[64];
    private int[] tokenEnds = new int[64];
    private int[] tokenKinds = new int[64];
    /** the first issue of the text, or null */
    ObjectNode issue;
    /** set when a bound was exceeded: {measure, limit} */
    ObjectNode tooComplex;

    private static final int BTID = 2;
    private static final int HINT_BEG = 829;
    private static final int COMMENT_END = 830;
    private static final int DOUBLE_QUOTE = 820;
    private static final int SEMICOLON = FlinkSqlParserImplConstants.SEMICOLON;
    private static final int QUOTED_STRING = FlinkSqlParserImplConstants.QUOTED_STRING;
    private static final int LPAREN = FlinkSqlParserImplConstants.LPAREN;
    private static final int RPAREN = FlinkSqlParserImplConstants.RPAREN;
    private static final int LBRACKET = FlinkSqlParserImplConstants.LBRACKET;
    private static final int RBRACKET = FlinkSqlParserImplConstants.RBRACKET;
    private static final int LT = FlinkSqlParserImplConstants.LT;
    private static final int GT = FlinkSqlParserImplConstants.GT;
    private static final int NOT = FlinkSqlParserImplConstants.NOT;
    private static final int ENFORCED = FlinkSqlParserImplConstants.ENFORCED;
    private static final Set<Integer> TYPE_ENDS = Set.of(
            FlinkSqlParserImplConstants.COMMA, FlinkSqlParserImplConstants.METADATA, FlinkSqlParserImplConstants.VIRTUAL,
            FlinkSqlParserImplConstants.COMMENT, FlinkSqlParserImplConstants.PRIMARY, FlinkSqlParserImplConstants.CONSTRAINT,
            FlinkSqlParserImplConstants.UNIQUE, FlinkSqlParserImplConstants.FIRST, FlinkSqlParserImplConstants.AFTER);
    private static final Pattern LEXICAL_ERROR = Pattern.compile("at line (\\d+), column (\\d+)");

    private final SqlText text;
    private boolean inHint;
    private int previousKind = -1;
    private int previousEnd;

    private TextScan(SqlText text) {
        this.text = text;
    }

    static TextScan scan(SqlText text, Limits limits) {
        TextScan scan = new TextScan(text);
        scan.run(limits);
        return scan;
    }

    private void run(Limits limits) {
        String sql = text.text;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < sql.length() && Character.isLowSurrogate(sql.charAt(i + 1))) i++;
            else if (Character.isSurrogate(c)) {
                issue("unsupported_character", i).put("codePoint", "U+FFFD");
                break;
            }
        }
        FlinkSqlParserImplTokenManager lexer = new FlinkSqlParserImplTokenManager(new RiffleCharStream(new StringReader(sql)), BTID);
        int nesting = 0;
        int lastStatementToken = -1;
        try {
            for (Token token = lexer.getNextToken(); token.kind != 0; token = lexer.getNextToken()) {
                int begin = text.offset(token.beginLine, token.beginColumn);
                int after = text.offset(token.endLine, token.endColumn) + 1;
                tokens++;
                if (tokens > limits.maxTokens) {
                    tooComplex("tokens", limits.maxTokens);
                    return;
                }
                String image = token.image;
                if (image.startsWith("(") || image.startsWith("[") || image.startsWith("{")) {
                    if (++nesting > maxNesting) maxNesting = nesting;
                    if (nesting > limits.maxNesting) {
                        tooComplex("nesting", limits.maxNesting);
                        return;
                    }
                } else if (image.equals(")") || image.equals("]") || image.equals("}")) {
                    nesting--;
                }
                if (tokens > tokenStarts.length) {
                    tokenStarts = Arrays.copyOf(tokenStarts, tokenStarts.length * 2);
                    tokenEnds = Arrays.copyOf(tokenEnds, tokenEnds.length * 2);
                    tokenKinds = Arrays.copyOf(tokenKinds, tokenKinds.length * 2);
                }
                tokenStarts[tokens - 1] = begin;
                tokenEnds[tokens - 1] = after;
                tokenKinds[tokens - 1] = token.kind;
                if (start < 0) start = begin;
                if (token.kind != SEMICOLON) lastStatementToken = after;
                if (issue == null) checkToken(token, begin, after);
                previousKind = token.kind;
                previousEnd = after;
            }
            if (issue == null) checkGap(previousEnd, sql.length());
        } catch (TokenMgrError error) {
            // the parser reports the same spot as a syntax error; a refused character there is the cause
            Matcher at = LEXICAL_ERROR.matcher(String.valueOf(error.getMessage()));
            if (issue == null && at.find()) {
                int offset = text.offset(Integer.parseInt(at.group(1)), Integer.parseInt(at.group(2)));
                checkGap(previousEnd, Math.min(sql.length(), offset + 1));
            }
        }
        end = Math.max(start, lastStatementToken);
    }

    /**
     * Where a clause that ends the statement starts (the query of CREATE TABLE … AS, CREATE VIEW … AS): at
     * the first token at or after `offset`, or at the parentheses it is wrapped in.
     */
    int clauseStart(int offset) {
        int index = firstTokenAt(offset);
        while (index > 0 && tokenKinds[index - 1] == LPAREN) index--;
        return index < tokens ? tokenStarts[index] : end;
    }

    private int firstTokenAt(int offset) {
        int index = Arrays.binarySearch(tokenStarts, 0, tokens, offset);
        return index < 0 ? -index - 1 : index;
    }

    /**
     * A column's type as written, from the first token at or after `offset` (just after the column's name) to
     * the last before what follows the type at its level: `,` or `)` closing the list, METADATA, VIRTUAL,
     * COMMENT, PRIMARY KEY, CONSTRAINT, UNIQUE, NOT ENFORCED, FIRST or AFTER (of ALTER TABLE). Calcite's own
     * positions of a type are partial (`ROW<…>` is only its end), and its unparse drops nested NOT NULLs.
     */
    String typeText(int offset) {
        int first = firstTokenAt(offset);
        int depth = 0;
        int last = -1;
        for (int i = first; i < tokens; i++) {
            int kind = tokenKinds[i];
            if (kind == LPAREN || kind == LBRACKET || kind == LT) depth++;
            else if (kind == RPAREN || kind == RBRACKET || kind == GT) {
                if (depth == 0) break;
                depth--;
            } else if (depth == 0 && (TYPE_ENDS.contains(kind) || (kind == NOT && i + 1 < tokens && tokenKinds[i + 1] == ENFORCED)))
                break;
            last = i;
        }
        return last < first ? "" : text.text.substring(tokenStarts[first], tokenEnds[last]);
    }

    private void checkToken(Token token, int begin, int after) {
        checkGap(previousEnd, begin);
        if (issue != null) return;
        int kind = token.kind;
        if (!isStringLiteral(kind)) checkCharacters(begin, after);
        if (issue != null) return;
        if (kind == DOUBLE_QUOTE) issue("double_quote", begin);
        else if (kind == FlinkSqlParserImplConstants.UNICODE_STRING_LITERAL
                || kind == FlinkSqlParserImplConstants.UNICODE_QUOTED_IDENTIFIER
                || kind == FlinkSqlParserImplConstants.UNICODE_QUOTED_ESCAPE_CHAR) issue("unicode_escape", begin);
        else if (isStringLiteral(kind) && isStringLiteral(previousKind)) issue("adjacent_strings", begin);
        else if (kind == HINT_BEG) inHint = true;
        else if (kind == COMMENT_END && !inHint) issue("comment_end", begin);
        else if (kind == COMMENT_END) inHint = false;
        else if (inHint && !isPlainHintToken(kind)) issue("unplain_hint", begin);
    }

    /** whitespace and comments between two tokens (Flink's lexer skips them) */
    private void checkGap(int from, int to) {
        if (issue != null || from >= to) return;
        checkCharacters(from, to);
        if (issue != null) return;
        String sql = text.text;
        for (int i = from; i < to - 1; i++) {
            char c = sql.charAt(i);
            char next = sql.charAt(i + 1);
            if (c == '/' && next == '*') {
                if (inHint) {
                    issue("unplain_hint", i);
                    return;
                }
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? to : close + 1;
            } else if ((c == '-' && next == '-') || (c == '/' && next == '/')) {
                if (c == '/') {
                    issue("double_slash_comment", i);
                    return;
                }
                if (inHint) {
                    issue("unplain_hint", i);
                    return;
                }
                while (i < to && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') i++;
            }
        }
    }

    private void checkCharacters(int from, int to) {
        String sql = text.text;
        for (int i = from; i < to; ) {
            int cp = sql.codePointAt(i);
            if (!allowed(cp, i)) {
                issue("unsupported_character", i).put("codePoint", String.format("U+%04X", cp));
                return;
            }
            i += Character.charCount(cp);
        }
    }

    private boolean allowed(int cp, int index) {
        if (cp >= 0x20 && cp < 0x7f) return true;
        if (cp == '\t' || cp == '\n') return true;
        if (cp == '\r') return index + 1 < text.text.length() && text.text.charAt(index + 1) == '\n';
        if (cp < 0xa0) return false;
        if (cp >= 0xff01 && cp <= 0xff5e) return false; // full-width ASCII
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SPACE_SEPARATOR:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.PRIVATE_USE:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
                return false;
            default:
                return true;
        }
    }

    private static boolean isStringLiteral(int kind) {
        return kind == QUOTED_STRING
                || kind == FlinkSqlParserImplConstants.PREFIXED_STRING_LITERAL
                || kind == FlinkSqlParserImplConstants.UNICODE_STRING_LITERAL
                || kind == FlinkSqlParserImplConstants.BINARY_STRING_LITERAL
                || kind == FlinkSqlParserImplConstants.C_STYLE_ESCAPED_STRING_LITERAL;
    }

    /** inside /*+ … *&#47;: names (keywords too), `quoted` names, plain strings, numbers and ( ) , = */
    private boolean isPlainHintToken(int kind) {
        if (kind == FlinkSqlParserImplConstants.IDENTIFIER
                || kind == FlinkSqlParserImplConstants.BACK_QUOTED_IDENTIFIER
                || kind == FlinkSqlParserImplConstants.UNSIGNED_INTEGER_LITERAL
                || kind == FlinkSqlParserImplConstants.DECIMAL_NUMERIC_LITERAL
                || kind == FlinkSqlParserImplConstants.LPAREN
                || kind == FlinkSqlParserImplConstants.RPAREN
                || kind == FlinkSqlParserImplConstants.COMMA
                || kind == FlinkSqlParserImplConstants.EQ) return true;
        if (kind == QUOTED_STRING) return true;
        String image = FlinkSqlParserImplConstants.tokenImage[kind];
        return image.length() > 2 && image.startsWith("\"") && Character.isLetter(image.charAt(1)); // a keyword
    }

    private ObjectNode issue(String kind, int offset) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", kind);
        int[] position = text.position(offset);
        node.put("line", position[0]);
        node.put("column", position[1]);
        node.put("offset", offset);
        issue = node;
        return node;
    }

    private void tooComplex(String measure, int limit) {
        tooComplex = JsonNodeFactory.instance.objectNode();
        tooComplex.put("measure", measure);
        tooComplex.put("limit", limit);
    }

    /** bounds of the text; the request may lower them, never raise them past the server's */
    static final class Limits {
        final int maxTokens;
        final int maxNesting;
        final int maxDepth;

        Limits(int maxTokens, int maxNesting, int maxDepth) {
            this.maxTokens = maxTokens;
            this.maxNesting = maxNesting;
            this.maxDepth = maxDepth;
        }

        Limits within(Limits server) {
            return new Limits(
                    Math.min(maxTokens, server.maxTokens),
                    Math.min(maxNesting, server.maxNesting),
                    Math.min(maxDepth, server.maxDepth));
        }
    }
}
