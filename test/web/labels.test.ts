// Every id the dashboard shows has a name in both languages: the economic regions of
// reference/regions.csv, the roles of the access table, and the live rooms built from them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GRANTS } from '../../src/auth/access-table.ts';
import { OTHER_REGION } from '../../src/reference/regions.ts';
import { REGION_NAMES, ROLE_NAMES, regionName, roleName, roomName } from '../../web/src/labels.ts';

const regions = [...new Set(readFileSync(new URL('../../reference/regions.csv', import.meta.url), 'utf8')
  .trim().split('\n').slice(1).map((line) => line.split(',')[1]!.trim()))];

test('every region of reference/regions.csv has an English and a French name', () => {
  assert.ok(regions.length >= 5);
  // And the region the server gives a country the table does not list.
  assert.deepEqual([...regions, OTHER_REGION].filter((r) => !REGION_NAMES[r]?.en || !REGION_NAMES[r]?.fr), []);
  assert.equal(regionName('NORTH_AFRICA', 'en'), 'North Africa');
  assert.equal(regionName('ECOWAS', 'fr'), 'Afrique de l’Ouest (CEDEAO)');
});

test('every role of the access table has an English and a French name', () => {
  assert.deepEqual(Object.keys(GRANTS).filter((r) => !ROLE_NAMES[r]?.en || !ROLE_NAMES[r]?.fr), []);
  assert.equal(roleName('analytics:ops', 'en'), 'Network operations');
  assert.equal(roleName('analytics:view', 'fr'), 'Analyses, lecture seule');
});

test('live rooms by name, not by id', () => {
  assert.equal(roomName('region:ECOWAS', 'en'), 'West Africa (ECOWAS)');
  assert.equal(roomName('country:SN', 'fr'), 'Sénégal');
  assert.equal(roomName('global', 'en'), 'All merchants');
  assert.equal(roomName('merchant:m_1', 'en', (id) => (id === 'm_1' ? 'Boutique Awa' : undefined)), 'Boutique Awa');
  assert.equal(roomName('merchant:m_2', 'en'), 'm_2');
});
