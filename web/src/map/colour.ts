// The map's sequential colour scale, interpolated here (no scale library): a value's position
// between the minimum and the maximum, then a straight mix between two colours in sRGB. One pair
// per theme — light: pale to deep indigo; dark: deep to pale, so more always stands out.

export interface Ramp { low: string; high: string }

export const LIGHT_RAMP: Ramp = { low: '#c7d2fe', high: '#312e81' }; // indigo-200 → indigo-900
export const DARK_RAMP: Ramp = { low: '#3730a3', high: '#c7d2fe' }; // indigo-800 → indigo-200

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at t ∈ [0, 1] between two #rrggbb colours. */
export function mix(a: string, b: string, t: number): string {
  const u = Math.min(1, Math.max(0, t));
  const [ar, ag, ab] = rgb(a);
  const [br, bg, bb] = rgb(b);
  const c = (x: number, y: number) => Math.round(x + (y - x) * u).toString(16).padStart(2, '0');
  return `#${c(ar, br)}${c(ag, bg)}${c(ab, bb)}`;
}

/**
 * Where v sits between min and max, 0–1. When they are equal every value is the top — unless it
 * is zero (or less): a map of $0 everywhere (no FX rates, an empty period) is the lightest shade,
 * never full colour.
 */
export function position(v: number, min: number, max: number): number {
  if (max > min) return (v - min) / (max - min);
  return v > 0 ? 1 : 0;
}

/** A CSS gradient of the ramp, for the legend. */
export function gradient(ramp: Ramp): string {
  return `linear-gradient(to right, ${ramp.low}, ${ramp.high})`;
}
