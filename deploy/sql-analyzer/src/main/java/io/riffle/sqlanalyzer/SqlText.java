package io.riffle.sqlanalyzer;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;

/**
 * The statement's text with its line index, so that parser positions (1-based line and column, as Flink's
 * parser counts them: a tab is one column, a line ends at LF, CR LF or a lone CR) become UTF-16 offsets
 * into the text and back. Offsets are what Riffle slices the text with (JavaScript strings are UTF-16 too).
 */
final class SqlText {
    final String text;
    /** offset of the first character of each line (line 1 at index 0) */
    private final int[] lineStarts;
    private final int lineCount;

    SqlText(String text) {
        this.text = text;
        int[] starts = new int[16];
        int count = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lineBreak = c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'));
            if (!lineBreak) continue;
            if (count == starts.length) starts = Arrays.copyOf(starts, count * 2);
            starts[count++] = i + 1;
        }
        this.lineStarts = starts;
        this.lineCount = count;
    }

    /** offset of (line, column); clamped to the text */
    int offset(int line, int column) {
        if (line < 1) return 0;
        if (line > lineCount) return text.length();
        return Math.min(text.length(), lineStarts[line - 1] + Math.max(0, column - 1));
    }

    /** the source of a node's span, as written (its end column is inclusive) */
    String source(SqlParserPos pos) {
        int start = offset(pos.getLineNum(), pos.getColumnNum());
        int end = offset(pos.getEndLineNum(), pos.getEndColumnNum()) + 1;
        return text.substring(start, Math.max(start, Math.min(end, text.length())));
    }

    String source(SqlNode node) {
        return source(node.getParserPosition());
    }

    /** line and column of an offset */
    int[] position(int offset) {
        int index = Arrays.binarySearch(lineStarts, 0, lineCount, offset);
        int line = index >= 0 ? index + 1 : -index - 1;
        return new int[] {line, offset - lineStarts[line - 1] + 1};
    }

    /** `line`, `column` (and `endLine`, `endColumn` for a span) of a position */
    static void put(ObjectNode target, SqlParserPos pos) {
        if (pos == null || pos.getLineNum() <= 0) return;
        target.put("line", pos.getLineNum());
        target.put("column", pos.getColumnNum());
    }
}
