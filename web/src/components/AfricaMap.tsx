// Africa's countries as an SVG choropleth (d3-geo's Mercator over the bundled 1:50m shapes in
// ../map/africa-50m.json), shaded by one value per country, with the value in a tooltip on hover
// and on keyboard focus, a min–max legend, and the scope's countries that are not on the map.
// Loaded lazily (MapPanel), so d3-geo and the shapes stay out of the overview's first paint.

import { useRef, useState, type CSSProperties, type FocusEvent, type PointerEvent } from 'react';
import { geoMercator, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import africa from '../map/africa-50m.json';
import { DARK_RAMP, LIGHT_RAMP, gradient, mix, position } from '../map/colour.ts';
import { MAP_HEIGHT, MAP_PADDING, MAP_WIDTH } from '../map/frame.ts';
import { countryName, formatValue, type Unit } from '../format.ts';
import type { Lang } from '../i18n.ts';

export interface MapValue { country: string | null; value: number | null }
export interface MapLabels { map: string; noData: string; hint: string; outside: string; unknown: string; min: string; max: string }

interface Shape { code: string; d: string; marker: { x: number; y: number } | null }

/** Below this area (viewBox units²) a country also gets a dot, so it can be seen and pointed at. */
const TINY = 80;
const MARKER_RADIUS = 6;

// The shapes are projected once, when the chunk loads: the frame is fixed, the SVG scales.
const SHAPES: Shape[] = (() => {
  const topology = africa as unknown as Parameters<typeof feature>[0];
  const collection = feature(topology, topology.objects.countries as Parameters<typeof feature>[1]);
  const features = 'features' in collection ? collection.features : [collection];
  const projection = geoMercator().fitExtent([[MAP_PADDING, MAP_PADDING], [MAP_WIDTH - MAP_PADDING, MAP_HEIGHT - MAP_PADDING]], { type: 'FeatureCollection', features });
  const path = geoPath(projection).digits(1);
  return features.map((f) => {
    const [x, y] = path.centroid(f);
    return { code: String(f.id), d: path(f) ?? '', marker: path.area(f) < TINY ? { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 } : null };
  });
})();
const ON_MAP = new Set(SHAPES.map((s) => s.code));

const defined = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

interface Tip { code: string; x: number; y: number }

/** `format`: how a value reads (default: the unit's format; a local currency's money format under a currency filter). */
export function AfricaMap({ values, unit, lang, labels, format }: { values: MapValue[]; unit: Unit; lang: Lang; labels: MapLabels; format?: (v: number | null | undefined) => string }) {
  const show = format ?? ((v: number | null | undefined) => formatValue(v, unit, lang));
  const figure = useRef<HTMLElement>(null);
  const [tip, setTip] = useState<Tip | null>(null);

  const byCode = new Map<string, number | null>();
  for (const v of values) if (v.country) byCode.set(v.country, defined(v.value) ? v.value : null);
  const shown = [...byCode].filter(([code]) => ON_MAP.has(code)).map(([, v]) => v).filter(defined);
  const min = shown.length ? Math.min(...shown) : null;
  const max = shown.length ? Math.max(...shown) : null;
  const outside = values.filter((v) => !v.country || !ON_MAP.has(v.country));

  const name = (code: string) => countryName(code, lang);
  const fill = (v: number | null | undefined) => {
    if (!defined(v) || min === null || max === null) return undefined;
    const t = position(v, min, max);
    return { '--map-fill': mix(LIGHT_RAMP.low, LIGHT_RAMP.high, t), '--map-fill-dark': mix(DARK_RAMP.low, DARK_RAMP.high, t) } as CSSProperties;
  };
  const shade = (v: number | null | undefined) => defined(v) && min !== null
    ? 'fill-(--map-fill) dark:fill-(--map-fill-dark)'
    : 'fill-slate-200 dark:fill-slate-700';
  const describe = (code: string) => {
    const v = byCode.get(code);
    return `${name(code)}: ${v === undefined ? labels.noData : show(v)}`;
  };

  // The tooltip sits above the point (pointer) or the shape (focus), in the figure's pixels.
  const place = (code: string, x: number, y: number) => {
    const box = figure.current?.getBoundingClientRect();
    // Kept off the figure's edges (half a tooltip's usual width), so it is not cut off.
    if (box) setTip({ code, x: Math.min(Math.max(x - box.left, 72), Math.max(72, box.width - 72)), y: y - box.top });
  };
  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    const code = (e.target as Element).closest('[data-shape]')?.getAttribute('data-shape');
    if (code) place(code, e.clientX, e.clientY);
    else setTip(null);
  };
  const onFocus = (e: FocusEvent<SVGSVGElement>) => {
    const code = (e.target as Element).getAttribute('data-country');
    if (!code) return;
    const r = (e.target as Element).getBoundingClientRect();
    place(code, r.left + r.width / 2, r.top + Math.min(r.height / 2, 24));
  };
  const active = tip ? SHAPES.find((s) => s.code === tip.code) : undefined;

  return (
    <div className="grid grid-cols-1 gap-5 md:grid-cols-[minmax(0,36rem)_minmax(0,1fr)] md:items-start">
      <figure ref={figure} className="relative mx-auto w-full max-w-xl">
        <svg data-chart="map" viewBox={`0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`} role="group" aria-label={labels.map}
          className="block h-auto w-full touch-manipulation select-none"
          onPointerMove={onPointer} onPointerDown={onPointer} onPointerLeave={() => setTip(null)}
          onFocus={onFocus} onBlur={() => setTip(null)}>
          {SHAPES.map((s) => {
            const has = byCode.has(s.code);
            const v = byCode.get(s.code);
            const common = {
              'data-shape': s.code,
              className: `${shade(v)} stroke-white dark:stroke-slate-800 outline-none`,
              style: fill(v),
            };
            return has ? (
              <g key={s.code} data-country={s.code} data-value={defined(v) ? v : ''} tabIndex={0} role="img" aria-label={describe(s.code)} className="cursor-pointer outline-none">
                <path d={s.d} {...common} strokeWidth={0.75} vectorEffect="non-scaling-stroke" />
                {s.marker && <circle cx={s.marker.x} cy={s.marker.y} r={MARKER_RADIUS} {...common} strokeWidth={1} vectorEffect="non-scaling-stroke" />}
              </g>
            ) : (
              <g key={s.code} aria-hidden="true">
                <path d={s.d} {...common} strokeWidth={0.75} vectorEffect="non-scaling-stroke" />
                {s.marker && <circle cx={s.marker.x} cy={s.marker.y} r={MARKER_RADIUS - 2} {...common} strokeWidth={1} vectorEffect="non-scaling-stroke" />}
              </g>
            );
          })}
          {active && (
            <g aria-hidden="true" className="pointer-events-none fill-none stroke-slate-900 dark:stroke-white">
              <path d={active.d} strokeWidth={2} vectorEffect="non-scaling-stroke" strokeLinejoin="round" />
              {active.marker && <circle cx={active.marker.x} cy={active.marker.y} r={MARKER_RADIUS} strokeWidth={2} vectorEffect="non-scaling-stroke" />}
            </g>
          )}
        </svg>
        {tip && (
          <div data-field="map-tooltip" aria-hidden="true"
            className="pointer-events-none absolute z-10 -translate-x-1/2 -translate-y-full whitespace-nowrap rounded-lg bg-slate-900 px-2.5 py-1.5 text-xs text-white shadow-lg dark:bg-white dark:text-slate-900"
            style={{ left: tip.x, top: tip.y - 10 }}>
            <span className="font-semibold">{name(tip.code)}</span>{' '}
            <span className="tabular-nums">{byCode.has(tip.code) ? show(byCode.get(tip.code)) : labels.noData}</span>
          </div>
        )}
      </figure>

      <div className="space-y-4 text-sm">
        <div data-field="map-legend">
          <div className="h-3 w-full max-w-xs rounded-full bg-(image:--map-legend) dark:bg-(image:--map-legend-dark)"
            style={{ '--map-legend': gradient(LIGHT_RAMP), '--map-legend-dark': gradient(DARK_RAMP) } as CSSProperties} />
          <div className="mt-1 flex max-w-xs justify-between gap-3 text-xs tabular-nums text-slate-600 dark:text-slate-300">
            <span data-field="map-min">{labels.min} {show(min)}</span>
            <span data-field="map-max">{labels.max} {show(max)}</span>
          </div>
          <div className="mt-2 flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
            <span className="inline-block h-3 w-3 rounded-sm bg-slate-200 ring-1 ring-slate-300 dark:bg-slate-700 dark:ring-slate-600" />
            {labels.noData}
          </div>
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400">{labels.hint}</p>
        {outside.length > 0 && (
          <div data-field="map-outside">
            <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{labels.outside}</h3>
            <ul className="space-y-0.5">
              {outside.map((o, i) => (
                <li key={o.country ?? `unknown-${i}`} data-row={o.country ?? ''} className="flex justify-between gap-3">
                  <span className="text-slate-700 dark:text-slate-200">{o.country ? name(o.country) : labels.unknown}</span>
                  <span className="tabular-nums text-slate-900 dark:text-slate-100">{show(o.value)}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}
