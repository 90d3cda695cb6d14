// Calendar arithmetic in an IANA zone with Intl only (no date library in the bundle): the wall
// clock of an instant in a zone, and the instant of a wall-clock time there.

const partsFormat = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = partsFormat.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsFormat.set(tz, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

interface Wall { year: number; month: number; day: number; hour: number; minute: number; second: number }

/** The wall clock in `tz` at instant `ms`. */
export function wallClock(ms: number, tz: string): Wall {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour! % 24, minute: p.minute!, second: p.second! };
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (+01:00 → 3 600 000). */
function offsetAt(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in `tz`. A time skipped by a DST jump is moved forward by the
 * gap (midnight in Santiago on a spring-forward day → 01:00, the day's first instant); a time that
 * occurs twice gives one of its two instants.
 */
export function zonedInstant(year: number, month: number, day: number, tz: string, hour = 0, minute = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetAt(guess, tz);
  const second = guess - offsetAt(first, tz);
  const w = wallClock(second, tz);
  if (w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute) return second;
  // Not that wall time: it fell in a gap; of the two candidates take the one after it.
  return Math.max(first, second);
}

export function startOfDay(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  return zonedInstant(w.year, w.month, w.day, tz);
}

export function startOfMonth(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  return zonedInstant(w.year, w.month, 1, tz);
}

/** Midnight in `tz` starting the calendar date `YYYY-MM-DD`. */
export function startOfDate(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedInstant(y, m, d, tz);
}

/** Midnight in `tz` after the calendar date `YYYY-MM-DD` (the end of that day, exclusive). */
export function nextDay(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return zonedInstant(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), tz);
}

/** Today's date in `tz` as `YYYY-MM-DD`. */
export function isoDate(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}
