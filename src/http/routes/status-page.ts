// GET / — a small status page until the dashboard lands: the public ingest counters of /health,
// refreshed every two seconds (its script is a separate file, as the content security policy asks).

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
<h1>Molam Analytics — ingest status</h1>
<p id="asof" class="label">loading…</p>
<div class="grid" id="cards"></div>
<p>The analytics API needs a bearer token: see <a href="/docs">/docs</a>.</p>
<script src="/status.js"></script></body></html>`;

const SCRIPT = `function fmt(v){ return typeof v === 'number' ? v.toLocaleString() : String(v); }
async function tick(){
  try{
    const h = await fetch('/health').then(r=>r.json());
    const cards = [['Events accepted since start', h.ingest.accepted], ['Duplicates', h.ingest.duplicates],
      ['Rejected', h.ingest.rejected], ['Batches', h.ingest.batches], ['Last commit (ms)', h.ingest.last_commit_ms]];
    document.getElementById('cards').innerHTML = cards.map(([l,v]) =>
      '<div class="card"><div class="label">'+l+'</div><div class="value">'+fmt(v)+'</div></div>').join('');
    document.getElementById('asof').textContent = 'as of ' + (h.as_of||'—') + ' · up ' + h.uptime_seconds + ' s';
  }catch(e){ document.getElementById('asof').textContent = 'unreachable: '+e; }
}
tick(); setInterval(tick, 2000);
`;

export function statusPageRoutes(app: FastifyInstance) {
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/status.js', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));
}
