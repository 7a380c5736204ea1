// Tests that spawn processes (the launcher, the embedded server's CLI, the token CLI) run the
// compiled output, so jest builds it first when sources changed (about a second with SWC).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  execFileSync(process.execPath, [path.join(__dirname, 'build.js'), '--if-needed'], { stdio: 'inherit' });
};
