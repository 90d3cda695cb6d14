// Worker thread: makes a new, migrated state store in workerData.dir (PGlite's initdb, then the
// migrations: seconds of WebAssembly), so the main thread's event loop keeps answering meanwhile.
// tsx's loader hooks are per thread: registered here before importing TypeScript.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { makeStateTemplate } = await import('./make-state-template.ts');
await makeStateTemplate(workerData.dir);
parentPort.postMessage('done');
