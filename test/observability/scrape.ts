// Test helper: reads one sample's value from Prometheus text output.

export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

export function event(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: id, type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T11:00:00Z',
    txn_id: `tx_${id}`, merchant_id: 'm1', amount: '1500', currency: 'XOF', country: 'SN', ...extra,
  };
}
