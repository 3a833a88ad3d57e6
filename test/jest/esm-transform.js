// Compiles the ES modules of the validators above to CommonJS for jest.
// esModuleInterop matters: they import CommonJS modules by default import.
const crypto = require('crypto');
const ts = require('typescript');

const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, allowJs: true };

module.exports = {
  process(source, filename) {
    return { code: ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(source).update(filename).update(ts.version).digest('hex');
  },
};
