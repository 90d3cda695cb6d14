// Country → economic region, from the shipped, editable table reference/regions.csv
// (header `country,region`). Loading validates every line so a bad edit fails at boot
// with the line number, not later as a silently mis-grouped dashboard.

import { fileURLToPath } from 'node:url';
import { countryKey } from './countries.ts';

/** Absolute path of the shipped reference/regions.csv. */
export const DEFAULT_REGIONS_FILE: string = fileURLToPath(
  new URL('../../reference/regions.csv', import.meta.url),
);

/** Region of any country the table does not list. */
export const OTHER_REGION = 'OTHER';

const REGION_NAME = /^[A-Z][A-Z_]{1,31}$/;

/**
 * Parses the CSV text into country → region. Blank lines and lines starting with `#` are
 * skipped; cells are trimmed. Throws an Error naming the line on a wrong header, an
 * unknown country code, a malformed region name or a country listed twice.
 */
export function loadRegions(csvText: string): Map<string, string> {
  const lines = csvText.split(/\r?\n/);
  const regions = new Map<string, string>();
  let sawHeader = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `regions.csv line ${i + 1}`;
    const cells = line.split(',').map((c) => c.trim());
    if (!sawHeader) {
      if (cells.length !== 2 || cells[0] !== 'country' || cells[1] !== 'region') {
        throw new Error(`${where}: expected the header "country,region", got "${line}".`);
      }
      sawHeader = true;
      continue;
    }
    if (cells.length !== 2) {
      throw new Error(`${where}: expected two cells "country,region", got "${line}".`);
    }
    const [country, region] = cells;
    if (countryKey(country) === 0) {
      throw new Error(`${where}: "${country}" is not an ISO 3166-1 alpha-2 country code.`);
    }
    if (!REGION_NAME.test(region)) {
      throw new Error(`${where}: region "${region}" must be 2–32 characters of A–Z and _.`);
    }
    if (regions.has(country)) {
      throw new Error(`${where}: country ${country} is listed twice.`);
    }
    regions.set(country, region);
  }
  if (!sawHeader) throw new Error('regions.csv: the header "country,region" is missing.');
  return regions;
}

/** Region of a country; OTHER when the table does not list it. */
export function regionOf(map: ReadonlyMap<string, string>, country: string): string {
  return map.get(country) ?? OTHER_REGION;
}
