import { CharStreams, Interval, Token } from 'antlr4ng';
import { SourceCharStream } from './source-char-stream';

describe('SourceCharStream reads like antlr4ng’s CharStream', () => {
  it.each([
    ['ASCII', "SELECT 'a' FROM t"],
    ['BMP letters', 'SELECT ‘€’ FROM täble'],
    ['characters outside the BMP', "SELECT '😀x😀' AS `𝔸` -- 🧪"],
    ['a lone surrogate', "SELECT '\ud800' FROM t"],
    ['nothing', ''],
  ])('%s', (_case, text) => {
    const ours = new SourceCharStream(text);
    const theirs = CharStreams.fromString(text);
    expect(ours.size).toBe(theirs.size);
    for (let index = 0; index <= theirs.size; index += 1) {
      ours.seek(index);
      theirs.seek(index);
      expect([ours.LA(1), ours.LA(-1)]).toEqual([theirs.LA(1), theirs.LA(-1)]);
      for (const stop of [index, index + 2, theirs.size + 5]) {
        expect(ours.getText(index, stop)).toBe(theirs.getText(index, stop));
      }
    }
    expect(ours.getText(Interval.of(1, 3))).toBe(theirs.getText(Interval.of(1, 3)));
  });

  it('ends in EOF and refuses to consume past it', () => {
    const stream = new SourceCharStream('a');
    stream.consume();
    expect(stream.LA(1)).toBe(Token.EOF);
    expect(() => stream.consume()).toThrow('cannot consume EOF');
  });
});
