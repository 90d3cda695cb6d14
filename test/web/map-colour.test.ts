// The map's colour scale (issue 16): a map where every country reads 0 (a first run without FX
// rates, an empty period) is the lightest shade, not full colour; equal positive values are the top.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIGHT_RAMP, mix, position } from '../../web/src/map/colour.ts';

test('zero everywhere is the lightest shade', () => {
  assert.equal(position(0, 0, 0), 0);
  assert.equal(mix(LIGHT_RAMP.low, LIGHT_RAMP.high, position(0, 0, 0)), LIGHT_RAMP.low);
  assert.equal(position(5, 5, 5), 1, 'equal positive values: the top');
  assert.equal(position(0, 0, 10), 0);
  assert.equal(position(10, 0, 10), 1);
});
