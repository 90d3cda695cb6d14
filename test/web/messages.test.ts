// The message tables (issue 16): no "(s)" plurals in either language — counts go through
// Intl.PluralRules (i18n.ts plural) — and French puts a space before a colon ("Connexion : connecté"),
// in every message and in the colon the screens add after a label (i18n.ts colon).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colon, DICTIONARY, plural, LANGS } from '../../web/src/i18n.ts';

test('no message writes a plural as "(s)"', () => {
  for (const lang of LANGS) {
    const lazy = Object.entries(DICTIONARY[lang]).filter(([, v]) => /\(s\)/.test(v));
    assert.deepEqual(lazy, [], `${lang}: use plural() with a _one and an _other message`);
  }
});

test('every French colon has a space before it', () => {
  // A colon ending a clause (followed by a space or the end), not one inside "12:00" or a URL.
  const bare = Object.entries(DICTIONARY.fr).filter(([, v]) => /[^\s\u00a0\u202f]:(\s|$)/.test(v));
  assert.deepEqual(bare, [], 'French writes "Connexion : connecté" (a no-break space before the colon)');
  assert.equal(`${DICTIONARY.fr.connection}${colon('fr')} x`, 'Connexion\u202f: x');
  assert.equal(`${DICTIONARY.en.connection}${colon('en')} x`, 'Connection: x');
});

test('counts take the language\'s plural form', () => {
  assert.equal(plural('en', 1, 'preview_notification', 'preview_notifications'), 'notification');
  assert.equal(plural('en', 0, 'preview_notification', 'preview_notifications'), 'notifications');
  assert.equal(plural('en', 2, 'preview_group_evaluated', 'preview_groups_evaluated'), 'groups with data');
  assert.equal(plural('fr', 1, 'preview_group_evaluated', 'preview_groups_evaluated'), 'groupe avec des données');
  assert.equal(plural('fr', 0, 'preview_notification', 'preview_notifications'), 'notification', 'French: zero is singular');
  assert.equal(plural('fr', 3, 'r_route_count', 'r_routes_count'), 'routes');
});
