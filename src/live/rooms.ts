// Live rooms: `global`, `region:<zone>`, `country:<ISO2>`, `city:<ISO2>:<city>`,
// `merchant:<id>`. A room is a fixed filter; these functions name rooms, read them, and map a
// request's filters to the room that answers it (when there is one).

import { AppError } from '../errors.ts';
import { COUNTRY_CODES } from '../reference/countries.ts';

export type RoomKind = 'global' | 'region' | 'country' | 'city' | 'merchant';

export interface Room {
  name: string;
  kind: RoomKind;
  /** The filters the room stands for, as the query parameters spell them. */
  filters: Record<string, string[]>;
}

const ID = /^[A-Za-z0-9._:@|-]{1,128}$/;
const COUNTRIES = new Set(COUNTRY_CODES);

export const roomName = {
  global: () => 'global',
  region: (zone: string) => `region:${zone}`,
  country: (cc: string) => `country:${cc}`,
  city: (cc: string, city: string) => `city:${cc}:${city}`,
  merchant: (id: string) => `merchant:${id}`,
};

/** Reads a room name; throws a coded error for anything malformed. */
export function parseRoom(name: unknown, regions: ReadonlySet<string>): Room {
  if (typeof name !== 'string' || name.length > 200) throw new AppError('invalid_parameter', 'a room is a string');
  if (name === 'global') return { name, kind: 'global', filters: {} };
  const colon = name.indexOf(':');
  const kind = colon < 0 ? name : name.slice(0, colon);
  const rest = colon < 0 ? '' : name.slice(colon + 1);
  switch (kind) {
    case 'region':
      if (!regions.has(rest)) throw new AppError('invalid_parameter', `unknown region ${JSON.stringify(rest)}`);
      return { name, kind, filters: { region: [rest] } };
    case 'country':
      if (!COUNTRIES.has(rest)) throw new AppError('invalid_parameter', `unknown country ${JSON.stringify(rest)}`);
      return { name, kind, filters: { country: [rest] } };
    case 'city': {
      const cc = rest.slice(0, 2);
      const city = rest.slice(3);
      if (!COUNTRIES.has(cc) || rest[2] !== ':' || city.length === 0 || city.length > 128) {
        throw new AppError('invalid_parameter', 'a city room is city:<ISO2>:<city>');
      }
      return { name, kind, filters: { country: [cc], city: [city] } };
    }
    case 'merchant':
      if (!ID.test(rest)) throw new AppError('invalid_parameter', 'a merchant room is merchant:<id>');
      return { name, kind, filters: { merchant_id: [rest] } };
    default:
      throw new AppError('invalid_parameter', 'rooms are global, region:<zone>, country:<ISO2>, city:<ISO2>:<city>, merchant:<id>');
  }
}

/** The room whose counters answer exactly these filters, or null (then the store answers). */
export function roomOfFilters(filters: Record<string, string[]>): string | null {
  const set = Object.entries(filters).filter(([, v]) => v.length > 0);
  const one = (k: string) => (filters[k]?.length === 1 ? filters[k][0] : null);
  const only = (...keys: string[]) => set.length === keys.length && keys.every((k) => one(k) !== null);
  if (set.length === 0) return roomName.global();
  if (only('region')) return roomName.region(one('region')!);
  if (only('country') && COUNTRIES.has(one('country')!)) return roomName.country(one('country')!);
  if (only('country', 'city') && COUNTRIES.has(one('country')!)) return roomName.city(one('country')!, one('city')!);
  if (only('merchant_id')) return roomName.merchant(one('merchant_id')!);
  return null;
}
