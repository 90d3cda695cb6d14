// The generator's pending-events queue: a binary min-heap ordered by arrival time, ties broken
// by insertion order so the stream is deterministic. Holds follow-ups (a txn's outcome, refunds,
// payouts, late and duplicate deliveries) until the stream reaches their arrival time. Stored as
// parallel arrays so a push allocates nothing.

export class EventQueue<T> {
  private readonly arrivals: number[] = [];
  private readonly seqs: number[] = [];
  private readonly values: T[] = [];
  private seq = 0;

  get size(): number {
    return this.values.length;
  }

  /** Arrival of the next item, or Infinity when empty. */
  peekArrival(): number {
    return this.values.length === 0 ? Infinity : this.arrivals[0];
  }

  push(arrival: number, value: T): void {
    const { arrivals, seqs, values } = this;
    const seq = this.seq++;
    let i = values.length;
    arrivals.push(arrival);
    seqs.push(seq);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = arrivals[parent];
      if (pa < arrival || (pa === arrival && seqs[parent] < seq)) break;
      arrivals[i] = pa;
      seqs[i] = seqs[parent];
      values[i] = values[parent];
      i = parent;
    }
    arrivals[i] = arrival;
    seqs[i] = seq;
    values[i] = value;
  }

  /** Removes and returns the earliest item; undefined when empty. */
  pop(): T | undefined {
    const { arrivals, seqs, values } = this;
    if (values.length === 0) return undefined;
    const top = values[0];
    const arrival = arrivals.pop() as number;
    const seq = seqs.pop() as number;
    const value = values.pop() as T;
    const n = values.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (arrivals[c + 1] < arrivals[c] || (arrivals[c + 1] === arrivals[c] && seqs[c + 1] < seqs[c]))) c++;
      if (arrivals[c] > arrival || (arrivals[c] === arrival && seqs[c] > seq)) break;
      arrivals[i] = arrivals[c];
      seqs[i] = seqs[c];
      values[i] = values[c];
      i = c;
    }
    arrivals[i] = arrival;
    seqs[i] = seq;
    values[i] = value;
    return top;
  }
}
