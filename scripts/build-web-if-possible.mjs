// postinstall: build the dashboard when its build tools are installed. An install without dev
// dependencies (npm install --omit=dev) has no Vite: it skips the build, and the server then
// serves the small status page at / instead of the dashboard.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
try {
  require.resolve('vite/package.json');
} catch {
  console.log('vite is not installed (production install?): the dashboard is not built');
  process.exit(0);
}
const r = spawnSync('npm', ['run', 'build:web'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
