// dt-sql-parser and antlr4ng ship as ES modules that the compiled (CommonJS) apps cannot require. Bundle
// what Riffle uses into one CommonJS file under dist/node_modules, which Node finds before the real
// packages, and point every import path the compiled code uses at that one bundle, so the parser and
// Riffle's own antlr4ng subclasses share a single copy of the runtime (instanceof checks stay true).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cwd } from 'node:process';
import { build } from 'esbuild';

const bundle = 'dist/node_modules/dt-sql-parser/index.js';
await build({
  stdin: {
    contents: [
      "export { FlinkSQL, FlinkSqlParserListener } from 'dt-sql-parser';",
      "export { FlinkSqlParser } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';",
      "export * as antlr4ng from 'antlr4ng';",
    ].join('\n'),
    resolveDir: cwd(),
  },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  logLevel: 'warning',
  outfile: bundle,
});

const reexports = {
  'dist/node_modules/dt-sql-parser/dist/lib/flink/FlinkSqlParser.js':
    "module.exports = { FlinkSqlParser: require('../../../index.js').FlinkSqlParser };\n",
  'dist/node_modules/antlr4ng/index.js': "module.exports = require('../dt-sql-parser/index.js').antlr4ng;\n",
};
for (const [file, contents] of Object.entries(reexports)) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, contents);
}
