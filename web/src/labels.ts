// Names on screen for what the API calls by id: the economic regions (reference/regions.csv), the
// live rooms (`global`, `region:ECOWAS`, `country:SN`, `merchant:m_1`) and the roles of the access
// table (src/auth/access-table.ts), in both languages. A test checks that every region and every
// role the server knows has its names here. Metrics are named by the server's registry
// (metric-registry.ts), countries by Intl (format.ts).

import { countryName } from './format.ts';
import { translate, type Lang } from './i18n.ts';

type Names = Record<Lang, string>;

export const REGION_NAMES: Readonly<Record<string, Names>> = {
  ECOWAS: { en: 'West Africa (ECOWAS)', fr: 'Afrique de l’Ouest (CEDEAO)' },
  CEMAC: { en: 'Central Africa (CEMAC)', fr: 'Afrique centrale (CEMAC)' },
  EAC: { en: 'East Africa (EAC)', fr: 'Afrique de l’Est (CAE)' },
  SADC: { en: 'Southern Africa (SADC)', fr: 'Afrique australe (SADC)' },
  NORTH_AFRICA: { en: 'North Africa', fr: 'Afrique du Nord' },
  EU: { en: 'European Union', fr: 'Union européenne' },
  NORTH_AMERICA: { en: 'North America', fr: 'Amérique du Nord' },
  // The server's region for a country the table does not list (src/reference/regions.ts OTHER_REGION).
  OTHER: { en: 'Other countries', fr: 'Autres pays' },
};

export const ROLE_NAMES: Readonly<Record<string, Names>> = {
  'analytics:view': { en: 'Analytics, read only', fr: 'Analyses, lecture seule' },
  'analytics:ops': { en: 'Network operations', fr: 'Opérations réseau' },
  'events:read': { en: 'Event lookups', fr: 'Consultation des événements' },
  'events:write': { en: 'Event ingestion (services)', fr: 'Envoi d’événements (services)' },
  'events:define': { en: 'Custom event definitions', fr: 'Définition des événements personnalisés' },
  'events:track': { en: 'Custom event tracking', fr: 'Envoi des événements personnalisés' },
  mesh_ops: { en: 'Routing mesh operations', fr: 'Opérations du maillage de routage' },
  mesh_compliance: { en: 'Routing mesh compliance', fr: 'Conformité du maillage de routage' },
  'mesh:route': { en: 'Routing decisions (services)', fr: 'Décisions de routage (services)' },
  merchant_admin: { en: 'Merchant administrator', fr: 'Administrateur marchand' },
  merchant_accountant: { en: 'Merchant accountant', fr: 'Comptable marchand' },
  merchant_support: { en: 'Merchant support', fr: 'Support marchand' },
};

/** "West Africa (ECOWAS)" / "Afrique de l'Ouest (CEDEAO)"; the code itself when unknown. */
export function regionName(code: string, lang: Lang): string {
  return REGION_NAMES[code]?.[lang] ?? code;
}

/** "Network operations" for `analytics:ops`; the id itself when unknown. */
export function roleName(role: string, lang: Lang): string {
  return ROLE_NAMES[role]?.[lang] ?? role;
}

/**
 * A live room's name: all merchants, a region's or a country's name, a merchant's name (when
 * `merchantName` knows it) or its id.
 */
export function roomName(room: string, lang: Lang, merchantName?: (id: string) => string | undefined): string {
  if (room === 'global') return translate(lang, 'room_global');
  const [kind, id = ''] = [room.slice(0, room.indexOf(':')), room.slice(room.indexOf(':') + 1)];
  if (kind === 'region') return regionName(id, lang);
  if (kind === 'country') return countryName(id, lang);
  if (kind === 'merchant') return merchantName?.(id) ?? id;
  return room;
}
