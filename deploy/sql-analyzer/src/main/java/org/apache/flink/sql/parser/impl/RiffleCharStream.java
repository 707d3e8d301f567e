package org.apache.flink.sql.parser.impl;

import java.io.Reader;

/**
 * Flink's parser's character stream with two changes, both invisible to the parser: a tab counts as one
 * column (as Calcite's SqlParser sets it), and the buffer that holds the token being read grows by doubling
 * instead of by 2,048 characters. JavaCC keeps a whole token in that buffer, so a long comment or string
 * literal (a megabyte of it) made the generated stream copy the buffer hundreds of times, O(n²): about half a
 * second per megabyte. In Flink's package because the fields it resizes are package-private.
 */
public final class RiffleCharStream extends SimpleCharStream {
    public RiffleCharStream(Reader reader) {
        super(reader, 1, 1);
        setTabSize(1);
    }

    @Override
    protected void ExpandBuff(boolean wrapAround) {
        int grown = bufsize + Math.max(2048, bufsize);
        char[] newBuffer = new char[grown];
        int[] newLines = new int[grown];
        int[] newColumns = new int[grown];
        if (wrapAround) {
            int tail = bufsize - tokenBegin;
            System.arraycopy(buffer, tokenBegin, newBuffer, 0, tail);
            System.arraycopy(buffer, 0, newBuffer, tail, bufpos);
            System.arraycopy(bufline, tokenBegin, newLines, 0, tail);
            System.arraycopy(bufline, 0, newLines, tail, bufpos);
            System.arraycopy(bufcolumn, tokenBegin, newColumns, 0, tail);
            System.arraycopy(bufcolumn, 0, newColumns, tail, bufpos);
            maxNextCharInd = (bufpos += tail);
        } else {
            System.arraycopy(buffer, tokenBegin, newBuffer, 0, bufsize - tokenBegin);
            System.arraycopy(bufline, tokenBegin, newLines, 0, bufsize - tokenBegin);
            System.arraycopy(bufcolumn, tokenBegin, newColumns, 0, bufsize - tokenBegin);
            maxNextCharInd = (bufpos -= tokenBegin);
        }
        buffer = newBuffer;
        bufline = newLines;
        bufcolumn = newColumns;
        bufsize = grown;
        available = bufsize;
        tokenBegin = 0;
    }
}
