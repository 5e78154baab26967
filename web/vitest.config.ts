import { defineConfig } from 'vitest/config';

// The page's browser tests (headless Chromium): `npm run test:web`, outside `npm test`.
export default defineConfig({
  test: {
    include: ['web/test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
