// Entry of a worker thread running one of our TypeScript modules (workerData.module): tsx's
// loader hooks are per thread, so each worker registers them before importing the module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
