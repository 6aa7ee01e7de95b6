import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests share one nats-server and start API servers on ephemeral ports;
    // files run in parallel workers but each test file owns its data directories.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
