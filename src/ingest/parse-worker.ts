// A parse worker: turns batches of event texts into ParsedBatch columns off the engine thread.

import { parentPort } from 'node:worker_threads';
import { parseToColumns, transferList, type Refusal } from './parsed-batch.ts';
import type { ParseContext } from '../events/contract.ts';

parentPort!.on('message', (msg: { id: number; items: string[]; ctx: ParseContext; refused: Refusal[] }) => {
  const batch = parseToColumns(msg.items, msg.ctx, msg.refused);
  parentPort!.postMessage({ id: msg.id, batch }, transferList(batch));
});
