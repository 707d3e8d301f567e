const QUOTES = new Set(["'", '"', '`']);

/** `'it''s'` → `it's`, `` `my-topic` `` → `my-topic`; unquoted text comes back as it is. */
export function unquoteSqlText(text: string): string {
  const quote = text[0];
  if (quote === undefined || !QUOTES.has(quote) || text.length < 2 || text.at(-1) !== quote) return text;
  return text
    .slice(1, -1)
    .split(quote + quote)
    .join(quote);
}
