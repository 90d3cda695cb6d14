// The first run: when the store has no events at all (the overview's as_of is null), the
// overview says how to send the first one — a curl line with a dev token, the demo, the CLI —
// instead of showing $0.00 everywhere with nothing to explain it.

import { translate, type Lang, type MessageKey } from '../../i18n.ts';

const code = 'mt-1 overflow-x-auto whitespace-pre rounded-xl bg-slate-900 p-3 font-mono text-xs text-slate-100 dark:bg-slate-950';

export function FirstRunGuide({ lang }: { lang: Lang }) {
  const t = (key: MessageKey) => translate(lang, key);
  const origin = window.location.origin;
  const curl = [
    `curl -s ${origin}/api/v1/events \\`,
    '  -H "Authorization: Bearer $(npm run -s token -- --role events:write 2>/dev/null)" \\',
    "  -H 'content-type: application/json' \\",
    `  -d '{"event_id": "evt_first_'"$(date +%s)"'", "type": "wallet_txn_created", "occurred_at": "'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'",`,
    '       "txn_id": "txn_first", "merchant_id": "mer_sn_042", "amount": "15000", "currency": "XOF", "country": "SN", "status": "pending"}\'',
  ].join('\n');
  return (
    <section data-first-run aria-labelledby="first-run-title"
      className="mb-6 rounded-2xl bg-indigo-50 p-5 text-sm ring-1 ring-indigo-200 dark:bg-indigo-950 dark:ring-indigo-800">
      <h2 id="first-run-title" className="text-lg font-semibold">{t('first_run_title')}</h2>
      <p className="mt-1 text-slate-700 dark:text-slate-300">{t('first_run_intro')}</p>
      <ol className="mt-3 list-decimal space-y-3 pl-5">
        <li>
          {t('first_run_curl')}
          <pre className={code}><code data-field="first-run-curl">{curl}</code></pre>
        </li>
        <li>
          {t('first_run_demo')}
          <pre className={code}><code>npm run demo</code></pre>
        </li>
        <li>
          {t('first_run_cli')}
          <pre className={code}><code>{'npm run cli -- generate --days 7 --out events.ndjson\nnpm run cli -- ingest events.ndjson --url ' + origin + ' --token "$(npm run -s token -- --role events:write 2>/dev/null)"'}</code></pre>
        </li>
      </ol>
      <p className="mt-3 text-slate-700 dark:text-slate-300">
        {t('first_run_docs')} <a className="font-medium text-indigo-700 underline dark:text-indigo-300" href="/docs">{t('first_run_api_docs')}</a>
        {' · '}<code>docs/events.md</code>
      </p>
    </section>
  );
}
