#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a runtime dependency), so `npm link` / `npx womei-checkout` work without a build.
require('tsx/cjs');
require('../src/cli.ts').main();
