#!/usr/bin/env node
// The one `shoal` binary. The TypeScript sources are compiled to dist/ by `npm run build`
// (the README's set-up runs it).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
