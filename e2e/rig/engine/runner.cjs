/**
 * The process of one engine-rig command: `node runner.cjs <compiled engine>
 * <command.json> <result.json>`. The engine runs compiled (compile.ts): the
 * only tsx in this process is what the engine registers for pipeline modules
 * (plugin/core/run/load-module.ts), as in a step process of Nx.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [engineRoot, commandFile, resultFile] = process.argv.slice(2);
const { main } = require(path.join(engineRoot, 'e2e/rig/engine/run-command.js'));
main(JSON.parse(fs.readFileSync(commandFile, 'utf8'))).then(
  (result) => {
    fs.writeFileSync(resultFile, JSON.stringify(result));
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`${(e && e.stack) || String(e)}\n`);
    process.exit(1);
  },
);
