#!/usr/bin/env node
// The one `shoal` binary. The TypeScript sources are compiled to dist/ by `npm run build`
// (the README's set-up runs it).
import { isServiceVerb, main } from '../dist/cli/main.js';

const argv = process.argv.slice(2);
const code = await main(argv);
// A service returns once it has stopped all its work. What a library may still hold then
// (grpc-js retrying a connection to an API server that went away first) must not keep the
// process alive past its container's stop timeout. Client verbs end by themselves, with
// their output flushed.
if (isServiceVerb(argv[0])) process.exit(code);
process.exitCode = code;
