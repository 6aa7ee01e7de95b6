// The demo app: an HTTP server that answers every path with its version and pod name, the
// way the seed notes' nginx pods are used (which pod answered, on which version).
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const version = process.env.VERSION ?? 'unknown';
const port = Number(process.env.PORT ?? 80);
const body = `${version} ${hostname()}\n`;

const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'X-App-Version': version });
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.keepAliveTimeout = 5_000;
server.listen(port, () => console.log(`demo-app ${version} listening on :${port}`));

// SIGTERM: stop accepting, let requests in flight finish, then exit (the pod's grace period
// bounds it). As PID 1 a process has no default signal handlers, so this one is needed.
const stop = (sig) => {
  console.log(`${sig}: closing`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
