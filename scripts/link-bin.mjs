// Makes `npx kplane` (and `npx kubectl-ws`) run this checkout's bin/kplane (which execs bin/kplane.js): npm links the
// bins of dependencies into node_modules/.bin, not the project's own, and `npx` of a project's own
// bin would try to reinstall the whole project into npm's cache. Run by `prepare` (npm ci).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
for (const name of ['kplane', 'kubectl-ws']) {
  const target = join(root, 'bin', name);
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, target), link);
  chmodSync(target, 0o755);
}
