// GET / — a small live status page until the dashboard lands: ingest counters and the last
// hour's KPIs, refreshed every two seconds from the API itself.

import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Molam Analytics</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2rem;color:#1d1d1f;background:#f5f5f7}
h1{font-size:1.4rem} .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:1rem}
.card{background:#fff;border-radius:14px;padding:1rem;box-shadow:0 1px 4px #0001}
.label{color:#6e6e73;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em}.value{font-size:1.6rem;font-weight:600}
</style></head><body>
<h1>Molam Analytics — last 60 minutes</h1>
<p id="asof" class="label">loading…</p>
<div class="grid" id="cards"></div>
<script>
const show = [['tx_count','Transactions'],['succeeded_count','Succeeded'],['success_rate','Success rate'],
  ['gross_volume_usd','Gross volume (USD)'],['refund_count','Refunds'],['dispute_count','Disputes'],['net_volume_usd','Net volume (USD)']];
function fmt(name, v){ if(v===null) return '—'; if(name.endsWith('rate')) return (v*100).toFixed(1)+' %';
  return name.endsWith('usd') ? v.toLocaleString(undefined,{maximumFractionDigits:0}) : v.toLocaleString(); }
async function tick(){
  try{
    const from = new Date(Date.now()-3600e3).toISOString();
    const [m,h] = await Promise.all([fetch('/api/v1/metrics?from='+from).then(r=>r.json()), fetch('/health').then(r=>r.json())]);
    const row = (m.rows && m.rows[0]) || {metrics:{}};
    document.getElementById('cards').innerHTML = show.map(([k,l]) =>
      '<div class="card"><div class="label">'+l+'</div><div class="value">'+fmt(k,row.metrics[k]??0)+'</div></div>').join('')
      + '<div class="card"><div class="label">Events accepted since start</div><div class="value">'+h.ingest.accepted.toLocaleString()+'</div></div>';
    document.getElementById('asof').textContent = 'as of ' + (h.as_of||'—') + ' · events awaiting an FX rate: ' + m.unconverted_events;
  }catch(e){ document.getElementById('asof').textContent = 'unreachable: '+e; }
}
tick(); setInterval(tick, 2000);
</script></body></html>`;

export function statusPageRoutes(app: FastifyInstance) {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
