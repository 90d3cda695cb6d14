// A parse worker: turns batches of NDJSON lines into ParsedBatch columns off the engine thread.

import { parentPort } from 'node:worker_threads';
import { parseToColumns, transferList } from './parsed-batch.ts';
import type { ParseContext } from '../events/contract.ts';

parentPort!.on('message', (msg: { id: number; items: string[]; ctx: ParseContext }) => {
  const batch = parseToColumns(msg.items, msg.ctx);
  parentPort!.postMessage({ id: msg.id, batch }, transferList(batch));
});
