// Custom event definitions, the pure part: what a definition is, its bounds, its canonical form
// (what "the same definition" means, for idempotent loads) and the rule between versions — a
// property keeps its type (and a measure its unit) across every version of its event type,
// because the rollups already written for it would otherwise mix two meanings. Adding or removing
// properties, changing a description, a role or a cardinality cap are all allowed: they apply to
// events from the new version on, and never rewrite what was aggregated before.

import { AppError } from '../errors.ts';

export const PROPERTY_TYPES = ['string', 'number', 'boolean'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];
export const PROPERTY_ROLES = ['dimension', 'measure'] as const;
export type PropertyRole = (typeof PROPERTY_ROLES)[number];
/**
 * Units a measure may declare. Money is integer minor units: `minor_units:XOF` of one currency
 * (XOF has no minor unit: 1 = 1 XOF), or `minor_units` of the currency the event names in its
 * `currency` dimension (aggregated per currency, never summed across them).
 */
export const MEASURE_UNITS = ['count', 'ms', 's', 'bytes', 'percent', 'bps', 'ratio', 'quantity', 'price', 'minor_units'] as const;
export const MEASURE_UNIT_PATTERN = `^(${MEASURE_UNITS.join('|')}|minor_units:[A-Z]{3})$`;
const MEASURE_UNIT_RE = new RegExp(MEASURE_UNIT_PATTERN);
export type MeasureUnit = string;

/** The bounds of a definition (and of a tracked event's properties: validate-tracked-event.ts). */
export const DEFINITION_LIMITS = {
  nameLength: 64,
  descriptionLength: 500,
  properties: 50,
  propertyNameLength: 64,
  /** A dimension's default cap on distinct values per event type: values past it are grouped as `(other)`. */
  defaultCardinalityCap: 1000,
  maxCardinalityCap: 10_000,
} as const;

/** An event type: lowercase segments of letters, digits and underscores, joined by dots (`order.placed`, `market.data.update`). */
export const EVENT_TYPE_PATTERN = '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$';
export const PROPERTY_NAME_PATTERN = '^[a-z][a-z0-9_]*$';
const EVENT_TYPE_RE = new RegExp(EVENT_TYPE_PATTERN);
const PROPERTY_NAME_RE = new RegExp(PROPERTY_NAME_PATTERN);

export type PropertyDefinition =
  | { name: string; type: PropertyType; role: 'dimension'; description: string; cardinality_cap: number }
  | { name: string; type: 'number'; role: 'measure'; description: string; unit: MeasureUnit };

export interface DefinitionInput {
  name: string;
  description?: string;
  properties: PropertyInput[];
}

export interface PropertyInput {
  name: string;
  type: PropertyType;
  role: PropertyRole;
  description?: string;
  cardinality_cap?: number;
  unit?: MeasureUnit;
}

/** A definition's content, canonical: properties sorted by name, defaults filled in. */
export interface DefinitionContent {
  name: string;
  description: string;
  properties: PropertyDefinition[];
}

const invalid = (message: string, property?: string) => new AppError('invalid_definition', message, property ? { property } : undefined);

/**
 * Checks a definition beyond its JSON schema (the HTTP layer checks shapes; this checks meaning,
 * for every caller — routes and the CLI alike) and returns its canonical content.
 */
export function normalizeDefinition(input: DefinitionInput): DefinitionContent {
  const L = DEFINITION_LIMITS;
  if (typeof input.name !== 'string' || input.name.length > L.nameLength || !EVENT_TYPE_RE.test(input.name)) {
    throw invalid(`an event type is 1-${L.nameLength} characters: lowercase dot-separated segments of letters, digits and underscores (order.placed)`);
  }
  const description = input.description ?? '';
  if (description.length > L.descriptionLength) throw invalid(`a description is at most ${L.descriptionLength} characters`);
  if (!Array.isArray(input.properties) || input.properties.length > L.properties) throw invalid(`a definition has at most ${L.properties} properties`);
  const seen = new Set<string>();
  const properties = input.properties.map((p): PropertyDefinition => {
    if (typeof p.name !== 'string' || p.name.length > L.propertyNameLength || !PROPERTY_NAME_RE.test(p.name)) {
      throw invalid(`a property name is 1-${L.propertyNameLength} characters: lowercase letters, digits and underscores`, String(p.name));
    }
    if (seen.has(p.name)) throw invalid(`property ${p.name} is declared twice`, p.name);
    seen.add(p.name);
    if (!(PROPERTY_TYPES as readonly string[]).includes(p.type)) throw invalid(`property ${p.name}: type is one of ${PROPERTY_TYPES.join(', ')}`, p.name);
    const pd = (p.description ?? '').slice(0, L.descriptionLength);
    if (p.role === 'measure') {
      if (p.type !== 'number') throw invalid(`property ${p.name}: a measure is a number`, p.name);
      if (typeof p.unit !== 'string' || !MEASURE_UNIT_RE.test(p.unit)) throw invalid(`property ${p.name}: a measure declares its unit (${MEASURE_UNITS.join(', ')} or minor_units:XXX)`, p.name);
      if (p.cardinality_cap !== undefined) throw invalid(`property ${p.name}: a cardinality cap is a dimension's`, p.name);
      return { name: p.name, type: 'number', role: 'measure', description: pd, unit: p.unit };
    }
    if (p.role !== 'dimension') throw invalid(`property ${p.name}: role is dimension or measure`, p.name);
    if (p.unit !== undefined) throw invalid(`property ${p.name}: a unit is a measure's`, p.name);
    const cap = p.cardinality_cap ?? L.defaultCardinalityCap;
    if (!Number.isInteger(cap) || cap < 1 || cap > L.maxCardinalityCap) throw invalid(`property ${p.name}: cardinality_cap is 1-${L.maxCardinalityCap}`, p.name);
    return { name: p.name, type: p.type, role: 'dimension', description: pd, cardinality_cap: cap };
  });
  const currency = properties.find((p) => p.name === 'currency');
  const bare = properties.find((p) => p.role === 'measure' && p.unit === 'minor_units');
  if (bare && !(currency && currency.role === 'dimension' && currency.type === 'string')) {
    throw invalid(`property ${bare.name}: a measure in minor_units needs a string dimension \`currency\` (or name its currency: minor_units:XOF)`, bare.name);
  }
  properties.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { name: input.name, description, properties };
}

/** A property with its keys in one order (jsonb keeps its own order: rows read back are put in this one). */
export function canonicalProperty(p: PropertyDefinition): PropertyDefinition {
  return p.role === 'measure'
    ? { name: p.name, type: 'number', role: 'measure', description: p.description, unit: p.unit }
    : { name: p.name, type: p.type, role: 'dimension', description: p.description, cardinality_cap: p.cardinality_cap };
}

/** Whether two canonical contents are the same definition (a load of an unchanged file adds no version). */
export function sameContent(a: DefinitionContent, b: DefinitionContent): boolean {
  const text = (c: DefinitionContent) => JSON.stringify([c.name, c.description, c.properties.map(canonicalProperty)]);
  return text(a) === text(b);
}

/** A property's type as versions must keep it: its value type, and a measure's unit. */
const typeKey = (p: PropertyDefinition) => (p.role === 'measure' ? `number:${p.unit}` : p.type);
const typeText = (p: PropertyDefinition) => (p.role === 'measure' ? `number (${p.unit})` : p.type);

/**
 * Refuses a new version that changes the type (or a measure's unit) of a property declared by any
 * earlier version — even one a later version removed: its name may come back, with its old type.
 */
export function checkCompatible(next: DefinitionContent, history: readonly DefinitionContent[]): void {
  for (const p of next.properties) {
    for (const old of history) {
      const prev = old.properties.find((x) => x.name === p.name);
      if (prev && typeKey(prev) !== typeKey(p)) {
        throw new AppError('property_type_changed', `property ${p.name} was ${typeText(prev)} and cannot become ${typeText(p)}: declare a property of another name`, { property: p.name });
      }
    }
  }
}
