// Worker thread: creates a fresh PGlite data directory (initdb, seconds of WebAssembly work) at
// workerData.dir and closes it, so the main thread's event loop keeps answering meanwhile.
// Plain JavaScript: it needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create(workerData.dir);
await db.close();
parentPort.postMessage('done');
