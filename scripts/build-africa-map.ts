// Writes web/src/map/africa-50m.json, the map's shapes: Africa's countries cut out of world-atlas's
// countries-50m.json (Natural Earth 1:50m, which unlike 1:110m has Cabo Verde, Comoros,
// Mauritius, Seychelles and São Tomé), ids turned into alpha-2 codes, Somaliland merged into
// Somalia, names dropped (the dashboard names countries with Intl.DisplayNames), and re-quantized
// on Africa's own box. Deterministic: test/web/map.test.ts checks the committed file is what this
// writes. Run after a world-atlas upgrade: node --import tsx scripts/build-africa-map.ts

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { mergeArcs, quantize } from 'topojson-client';
import { AFRICA_NUMERIC_TO_ALPHA2 } from '../web/src/map/africa-codes.ts';

/** Grid steps across Africa's box: about 0.018° (2 km), under a pixel at any width the card takes. */
const QUANTIZATION = 5000;
/** Africa's box, islands included (Cabo Verde 25° W, Mauritius 58° E). */
const BOX = { west: -26, east: 60, south: -36, north: 38 };
export const AFRICA_MAP_FILE = fileURLToPath(new URL('../web/src/map/africa-50m.json', import.meta.url));

type Topology = Parameters<typeof quantize>[0];
type Shape = Extract<Parameters<typeof mergeArcs>[1], unknown[]>[number];
/** The part of world-atlas's file read here. */
type World = Topology & {
  objects: { countries: { geometries: Array<{ type: string; id?: string; properties?: { name?: string }; arcs?: unknown }> } };
};

export function readWorldAtlas50m(): World {
  const path = createRequire(import.meta.url).resolve('world-atlas/countries-50m.json');
  return JSON.parse(readFileSync(path, 'utf8')) as World;
}

export function extractAfrica(world: World): Topology {
  const all = world.objects.countries.geometries;
  const shapes: Array<{ id: string; shape: Shape }> = [];
  for (const [numeric, alpha2] of Object.entries(AFRICA_NUMERIC_TO_ALPHA2)) {
    const g = all.find((x) => x.id === numeric);
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) throw new Error(`world-atlas has no shape for ${numeric} (${alpha2})`);
    let shape = g as Shape;
    if (alpha2 === 'SO') {
      const somaliland = all.find((x) => x.id === undefined && x.properties?.name === 'Somaliland');
      if (!somaliland) throw new Error('world-atlas has no Somaliland');
      shape = mergeArcs(world, [g as Shape, somaliland as Shape]) as Shape;
    }
    shapes.push({ id: alpha2, shape });
  }
  shapes.sort((a, b) => a.id.localeCompare(b.id));

  // The arcs decoded to longitude/latitude.
  const { scale: [kx, ky], translate: [dx, dy] } = world.transform!;
  const lonLat = new Map<number, Array<[number, number]>>();
  const decode = (k: number) => {
    let points = lonLat.get(k);
    if (!points) {
      let x = 0;
      let y = 0;
      points = world.arcs[k].map(([ax, ay]): [number, number] => [(x += ax) * kx + dx, (y += ay) * ky + dy]);
      lonLat.set(k, points);
    }
    return points;
  };
  // Islands far out of Africa's box (South Africa's Prince Edward Islands, 47° S) would shrink the
  // continent for two dots: their polygons are left out.
  const inBox = (polygon: number[][]) => polygon[0].every((i) => decode(i < 0 ? ~i : i).every(([lon, lat]) =>
    lon >= BOX.west && lon <= BOX.east && lat >= BOX.south && lat <= BOX.north));

  // Keep only the arcs the kept polygons use, renumbered.
  const renumber = new Map<number, number>();
  const arcs: Array<Array<[number, number]>> = [];
  const arcIndex = (i: number): number => {
    const k = i < 0 ? ~i : i;
    let n = renumber.get(k);
    if (n === undefined) {
      n = arcs.length;
      renumber.set(k, n);
      arcs.push(decode(k));
    }
    return i < 0 ? ~n : n;
  };
  const geometries = shapes.map(({ id, shape }) => {
    const polygons = (shape.type === 'Polygon' ? [shape.arcs] : shape.arcs).filter(inBox).map((p) => p.map((ring) => ring.map(arcIndex)));
    if (polygons.length === 0) throw new Error(`${id} lies outside the map's box`);
    return polygons.length === 1 ? { type: 'Polygon' as const, id, arcs: polygons[0] } : { type: 'MultiPolygon' as const, id, arcs: polygons };
  });

  const plain = { type: 'Topology', objects: { countries: { type: 'GeometryCollection', geometries } }, arcs } as Topology;
  return quantize(plain, QUANTIZATION);
}

export function africaMapJson(): string {
  return `${JSON.stringify(extractAfrica(readWorldAtlas50m()))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const json = africaMapJson();
  writeFileSync(AFRICA_MAP_FILE, json);
  console.log(`wrote ${AFRICA_MAP_FILE}: ${json.length} bytes`);
}
