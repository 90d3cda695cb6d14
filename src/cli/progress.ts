// A one-line progress display on stderr: bytes done of total (when known), events and rate.

export function createProgress(totalBytes: number | null, out: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  let last = 0;
  const width = 30;
  return {
    update(events: number, bytes: number, force = false) {
      const t = performance.now();
      if (!force && t - last < 250) return;
      last = t;
      const rate = events / Math.max((t - started) / 1000, 0.001);
      const frac = totalBytes ? Math.min(bytes / totalBytes, 1) : null;
      const bar = frac === null ? '' : `[${'#'.repeat(Math.round(frac * width)).padEnd(width, ' ')}] ${(frac * 100).toFixed(0).padStart(3)}% `;
      const line = `${bar}${events.toLocaleString('en-US')} events  ${Math.round(rate).toLocaleString('en-US')}/s`;
      if (out.isTTY) out.write(`\r${line}\x1b[K`);
      else if (force) out.write(line + '\n');
    },
    done(events: number, bytes: number) {
      this.update(events, bytes, true);
      if (out.isTTY) out.write('\n');
      return (performance.now() - started) / 1000;
    },
  };
}

/** A progress bar over a known number of steps, each named as it starts (on stderr). */
export function createStepProgress(total: number, out: NodeJS.WriteStream = process.stderr) {
  const width = 20;
  let done = 0;
  const draw = (label: string) => {
    const frac = total ? Math.min(done / total, 1) : 1;
    const line = `[${'#'.repeat(Math.round(frac * width)).padEnd(width, ' ')}] ${done}/${total} ${label}`;
    if (out.isTTY) out.write(`\r${line}\x1b[K`);
    else out.write(line + '\n');
  };
  return {
    /** Marks the previous step done and names the next one. */
    step(label: string) {
      draw(label);
      done++;
    },
    finish() {
      done = total;
      draw('done');
      if (out.isTTY) out.write('\n');
    },
  };
}
