// A definitions file (reference/trading-events.json): `{ "definitions": [ … ] }` or a bare array
// of definitions as POST /api/v1/custom-events takes them. Only the outer shape is checked here;
// each definition is checked by normalizeDefinition when it is loaded.

import type { DefinitionInput } from './definition.ts';

export function parseDefinitionsFile(text: string): DefinitionInput[] {
  const doc = JSON.parse(text) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { definitions?: unknown } | null)?.definitions;
  if (!Array.isArray(list) || list.some((d) => typeof d !== 'object' || d === null || Array.isArray(d))) {
    throw new Error('a definitions file is an array of definitions, or an object with one in `definitions`');
  }
  return list as DefinitionInput[];
}
