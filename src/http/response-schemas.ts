// Response shapes for the OpenAPI document (and Fastify's serializer). Metric maps are open:
// their keys are the metric names asked for.

const nullableNumber = { type: ['number', 'null'] };
const nullableString = { type: ['string', 'null'] };
export const metricMap = { type: 'object', additionalProperties: nullableNumber, description: 'metric name → value (USD numbers; undefined ratios null)' };
export const localMap = { type: 'object', additionalProperties: { type: 'string' }, description: 'metric name → exact local-currency decimal (one currency selected); an average (avg_ticket_usd) rounded to a minor unit, absent over no sales' };

export const freshness = {
  as_of: { ...nullableString, format: 'date-time', description: 'event time up to which ingestion is complete' },
  unconverted_events: { type: 'integer', description: 'events in the range still waiting for an FX rate (left out of USD sums)' },
};
export const range = { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, tz: { type: 'string' } };

export const summaryResponse = {
  type: 'object',
  properties: {
    ...range, ...freshness, currency: nullableString,
    metrics: metricMap, previous: metricMap,
    change: { ...metricMap, description: 'relative change (current − previous) / |previous|; null when undefined' },
    local: localMap, previous_local: localMap,
  },
};

const point = {
  type: 'object',
  properties: { ts: { type: 'string', description: 'bucket start, RFC 3339 with the zone offset' }, local: localMap },
  additionalProperties: nullableNumber,
};

export const seriesResponse = {
  type: 'object',
  properties: { ...range, ...freshness, granularity: { type: 'string' }, currency: nullableString, points: { type: 'array', items: point } },
};

export const liveResponse = {
  type: 'object',
  properties: { ...seriesResponse.properties, totals: metricMap },
};

export function rankingResponse(keyName: string) {
  return {
    type: 'object',
    properties: {
      ...range, ...freshness, metric: { type: 'string' }, dimension: { type: 'string' }, currency: nullableString,
      items: {
        type: 'array',
        items: { type: 'object', properties: { [keyName]: nullableString, value: nullableNumber, metrics: metricMap, local: localMap } },
      },
    },
  };
}

export const overviewResponse = {
  type: 'object',
  properties: {
    ...range, ...freshness, currency: nullableString,
    kpis: { type: 'object', properties: { metrics: metricMap, previous: metricMap, change: metricMap, local: localMap, previous_local: localMap } },
    series: {
      type: 'object',
      properties: {
        granularity: { type: 'string' },
        points: { type: 'array', items: point },
        previous: {
          type: ['array', 'null'], items: point,
          description: 'the same series over the previous period (the span before `from`): previous[i] is the bucket one span before points[i]; null when that period is past retention',
        },
      },
    },
    top_merchants: { type: ['array', 'null'], items: rankingResponse('merchant_id').properties.items.items },
    top_countries: rankingResponse('country').properties.items,
    countries: rankingResponse('country').properties.items,
    regions: rankingResponse('region').properties.items,
  },
};

export const dashboardResponse = {
  type: 'object',
  properties: {
    ...freshness,
    periods: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { ...range, metrics: metricMap, previous: metricMap, change: metricMap, unconverted_events: { type: 'integer' } },
      },
    },
  },
};

/**
 * An object with these documented fields and possibly more (rows of the state store, events):
 * open, so the serializer never drops a field the handler returns.
 */
export function openObject(description: string, properties: Record<string, unknown> = {}, required: string[] = []) {
  return { type: 'object', description, properties, required, additionalProperties: true };
}

/** `{items: [...]}` plus any other fields. */
export function itemsOf(item: unknown, extra: Record<string, unknown> = {}) {
  return { type: 'object', required: ['items', ...Object.keys(extra)], properties: { items: { type: 'array', items: item }, ...extra } };
}

export const isoTime = { type: 'string', format: 'date-time' };
export const nullableIsoTime = { type: ['string', 'null'], format: 'date-time' };
