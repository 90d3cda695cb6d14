// Two backends' answers are the same: equal, except USD figures (floating sums added in another
// order), which agree to 1e-9 relative.

import assert from 'node:assert/strict';

export function assertSame(a: unknown, b: unknown, at: string): void {
  if (typeof a === 'number' && typeof b === 'number' && !Number.isInteger(a + b)) {
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)), `${at}: ${a} vs ${b}`);
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), at);
    for (const k of Object.keys(a)) assertSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
  } else {
    assert.deepEqual(a, b, at);
  }
}
