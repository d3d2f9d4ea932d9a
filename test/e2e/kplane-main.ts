// The kplane command run from the TypeScript sources (node --import tsx test/e2e/kplane-main.ts
// serve ...): test/e2e runs kplane as a child process it can SIGKILL, without needing dist/.
import { main } from '../../src/cli/main.js';

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
