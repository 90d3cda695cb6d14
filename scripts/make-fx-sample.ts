// One-off: writes reference/fx-rates.sample.csv, the sample FX rates shipped with the repo
// (2025-01-01 … 2026-12-31, seed "molam-fx-v1"). Run: node --import tsx scripts/make-fx-sample.ts

import { writeFileSync } from 'node:fs';
import { sampleFxRates, toFxCsv } from '../src/generator/fx-sample.ts';

const rows = sampleFxRates({ seed: 'molam-fx-v1', from: '2025-01-01', to: '2026-12-31' });
writeFileSync(new URL('../reference/fx-rates.sample.csv', import.meta.url), toFxCsv(rows));
console.log(`wrote ${rows.length} rows`);
