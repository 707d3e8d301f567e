import { type CharStream, Interval, IntStream, Token } from 'antlr4ng';

/**
 * The text as the lexer reads it (code points), like antlr4ng's CharStreamImpl, built for 4 MiB inputs:
 * CharStreamImpl fills a JavaScript array one code point at a time and rebuilds every token's text one
 * character at a time, so a 4 MiB string literal took ~2 s, most of it garbage collection. Here the code
 * points go straight into a typed array and token text is a slice of the original string.
 */
const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/;

export class SourceCharStream implements CharStream {
  name = '';
  index = 0;
  private readonly data: Uint32Array;
  /** UTF-16 offset of each code point (and of the end); only when some take two UTF-16 units */
  private readonly offsets: Uint32Array | undefined;

  constructor(private readonly text: string) {
    if (!SURROGATE_PAIR.test(text)) {
      this.data = new Uint32Array(text.length);
      for (let offset = 0; offset < text.length; offset += 1) this.data[offset] = text.charCodeAt(offset);
      return;
    }
    const codePoints: number[] = [];
    const offsets: number[] = [];
    for (let offset = 0; offset < text.length;) {
      const codePoint = text.codePointAt(offset) ?? 0;
      codePoints.push(codePoint);
      offsets.push(offset);
      offset += codePoint > 0xffff ? 2 : 1;
    }
    offsets.push(text.length);
    this.data = Uint32Array.from(codePoints);
    this.offsets = Uint32Array.from(offsets);
  }

  get size(): number {
    return this.data.length;
  }

  reset(): void {
    this.index = 0;
  }

  consume(): void {
    if (this.index >= this.data.length) throw new Error('cannot consume EOF');
    this.index += 1;
  }

  LA(offset: number): number {
    if (offset === 0) return 0;
    const position = this.index + (offset < 0 ? offset + 1 : offset) - 1;
    return position < 0 || position >= this.data.length ? Token.EOF : (this.data[position] ?? Token.EOF);
  }

  mark(): number {
    return -1;
  }

  release(): void {}

  seek(index: number): void {
    this.index = index <= this.index ? index : Math.min(index, this.data.length);
  }

  /** Code points `start` to `stop`, inclusive. */
  getText(start: number, stop: number): string;
  getText(interval: Interval): string;
  getText(intervalOrStart: Interval | number, stop?: number): string {
    const [first, last] =
      intervalOrStart instanceof Interval
        ? [intervalOrStart.start, intervalOrStart.stop]
        : [intervalOrStart, stop ?? this.data.length - 1];
    const end = Math.min(last, this.data.length - 1) + 1;
    if (first >= this.data.length || end <= first) return '';
    const utf16 = (codePoint: number) => this.offsets?.[codePoint] ?? codePoint;
    return this.text.slice(utf16(first), utf16(end));
  }

  toString(): string {
    return this.text;
  }

  getSourceName(): string {
    return this.name || IntStream.UNKNOWN_SOURCE_NAME;
  }
}
