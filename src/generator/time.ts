// Time for the generator's hot path: RFC 3339 text built by hand from epoch ms (no Date or
// Intl per event), and UTC offsets of IANA zones. Zones with a fixed offset are resolved once;
// zones that shift (Cairo's summer time, Casablanca's Ramadan hour) ask Intl once per hour.

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const dayTexts = new Map<number, string>();
let lastDay = NaN;
let lastDayText = '';

/** "YYYY-MM-DD" of a day count since the epoch, memoised (a stream touches few days). */
export function dayText(days: number): string {
  if (days === lastDay) return lastDayText;
  let text = dayTexts.get(days);
  if (text === undefined) {
    const [y, m, d] = civilFromDays(days);
    text = `${String(y).padStart(4, '0')}-${PAD2[m]}-${PAD2[d]}`;
    if (dayTexts.size > 4096) dayTexts.clear();
    dayTexts.set(days, text);
  }
  lastDay = days;
  lastDayText = text;
  return text;
}

const offsetTexts = new Map<number, string>();

/** "+01:00" for 60, "-03:30" for -210. */
export function offsetText(minutes: number): string {
  let text = offsetTexts.get(minutes);
  if (text === undefined) {
    const abs = Math.abs(minutes);
    text = `${minutes < 0 ? '-' : '+'}${PAD2[Math.floor(abs / 60)]}:${PAD2[abs % 60]}`;
    offsetTexts.set(minutes, text);
  }
  return text;
}

/**
 * RFC 3339 text of `ms`: in UTC with "Z" when `offset` is null, else in local time with that
 * offset in minutes ("+00:00" for zero). Milliseconds only when `millis`.
 */
export function formatRfc3339(ms: number, offset: number | null, millis: boolean): string {
  const local = offset === null ? ms : ms + offset * MS_PER_MINUTE;
  const days = Math.floor(local / MS_PER_DAY);
  let rest = local - days * MS_PER_DAY;
  const h = Math.floor(rest / MS_PER_HOUR);
  rest -= h * MS_PER_HOUR;
  const m = Math.floor(rest / MS_PER_MINUTE);
  rest -= m * MS_PER_MINUTE;
  const s = Math.floor(rest / 1000);
  const text = `${dayText(days)}T${PAD2[h]}:${PAD2[m]}:${PAD2[s]}`;
  const frac = millis ? `.${PAD3[rest - s * 1000]}` : '';
  return text + frac + (offset === null ? 'Z' : offsetText(offset));
}

/** "YYYY-MM-DD" of a UTC epoch-ms instant. */
export function utcDate(ms: number): string {
  return dayText(Math.floor(ms / MS_PER_DAY));
}

export interface Zone {
  tz: string;
  /** The offset most of the year, minutes east of UTC. */
  standardOffset: number;
  /** Offset in minutes at a UTC instant. */
  offsetAt(ms: number): number;
}

/** Zones of our markets whose offset changes during the year. */
const SHIFTING = new Set(['Africa/Cairo', 'Africa/Casablanca']);

function intlOffset(format: Intl.DateTimeFormat, ms: number): number {
  const name = format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (match === null) return 0; // "GMT" alone is UTC
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

const zones = new Map<string, Zone>();

/** The zone named `tz` (IANA), shared between callers. */
export function zone(tz: string): Zone {
  let z = zones.get(tz);
  if (z !== undefined) return z;
  const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
  const standardOffset = intlOffset(format, Date.UTC(2025, 0, 15));
  if (!SHIFTING.has(tz)) {
    z = { tz, standardOffset, offsetAt: () => standardOffset };
  } else {
    const byHour = new Map<number, number>();
    const offsetAt = (ms: number): number => {
      const hour = Math.floor(ms / MS_PER_HOUR);
      let offset = byHour.get(hour);
      if (offset === undefined) {
        offset = intlOffset(format, hour * MS_PER_HOUR);
        if (byHour.size > 100_000) byHour.clear();
        byHour.set(hour, offset);
      }
      return offset;
    };
    z = { tz, standardOffset, offsetAt };
  }
  zones.set(tz, z);
  return z;
}
