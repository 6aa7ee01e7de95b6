#!/usr/bin/env node
// A container healthcheck without curl: exits 0 when GET URL answers 2xx within 3 s, else 1.
//   node bin/healthcheck.js http://127.0.0.1:9464/healthz
const url = process.argv[2];
if (!url) {
  console.error('usage: healthcheck.js URL');
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`${url}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
