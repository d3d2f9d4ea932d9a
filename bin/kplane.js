#!/usr/bin/env node
// Entry point of the kplane command (compiled TypeScript in dist/, built by `npm ci` / `npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
