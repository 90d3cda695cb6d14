// The admission gate of answers: at most `maxRunning` requests compute or send an answer at
// once, at most `maxWaiting` more wait for a place in arrival order, and any request past that is
// refused at once (too_many_queries) instead of queueing without end. With each answer capped
// in size (QUERY_MAX_RESULT_MB), this is what bounds the memory that answers take, whatever the
// clients do. Pure: the HTTP layer (http/query-admission.ts) decides what enters and when it
// leaves.

import { AppError } from '../errors.ts';

export interface GateOptions {
  maxRunning: number;
  maxWaiting: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds: number;
}

export interface AdmissionGate {
  /**
   * Resolves with `leave` once the request may run (call it exactly when its answer is gone);
   * rejects at once with too_many_queries when every place and the queue are taken, and with
   * `signal`'s reason when the caller gives up while waiting.
   */
  enter(signal?: AbortSignal): Promise<() => void>;
  readonly running: number;
  readonly waiting: number;
  readonly options: Readonly<GateOptions>;
}

interface Waiter {
  admit: (leave: () => void) => void;
}

export function createAdmissionGate(options: GateOptions): AdmissionGate {
  let running = 0;
  const queue: Waiter[] = [];

  /** A place's release: idempotent, and hands the place to the longest waiter if there is one. */
  const place = (): (() => void) => {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = queue.shift();
      if (next) next.admit(place());
      else running--;
    };
  };

  return {
    enter(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (running < options.maxRunning) {
        running++;
        return Promise.resolve(place());
      }
      if (queue.length >= options.maxWaiting) {
        return Promise.reject(new AppError('too_many_queries',
          `${options.maxRunning} queries are running and ${options.maxWaiting} waiting; retry in ${options.retryAfterSeconds} s`,
          { max_concurrency: options.maxRunning, queue_length: options.maxWaiting, retry_after: options.retryAfterSeconds }));
      }
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          reject(signal!.reason);
        };
        const waiter: Waiter = {
          admit: (leave) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(leave);
          },
        };
        queue.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    options,
  };
}
