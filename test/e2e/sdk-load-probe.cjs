// Preloaded with --require: reports on stderr which AWS SDK client packages the process loaded.
const Module = require('node:module');
const loaded = new Set();
const original = Module._load;
Module._load = function (request, ...rest) {
  if (request.startsWith('@aws-sdk/client-')) loaded.add(request);
  return original.call(this, request, ...rest);
};
process.on('exit', () => process.stderr.write(`SDK-LOADED:${[...loaded].sort().join(',')}\n`));
