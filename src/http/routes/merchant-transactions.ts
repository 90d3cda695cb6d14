// GET /api/merchant/transactions[/:id]: the merchant's transactions, filtered and sorted, a
// keyset page at a time, and one transaction with its events (src/merchant/).

import type { FastifyInstance } from 'fastify';
import { listTransactions, MAX_TRANSACTION_PAGE, SORTS, type Sort, type TransactionDeps } from '../../merchant/list-transactions.ts';
import { getTransaction } from '../../merchant/get-transaction.ts';
import { MAX_ID } from '../../events/parse-event.ts';
import { csv, parseInstant, readLimit, type Query } from '../analytics-params.ts';
import { merchantHeaderSchema, merchantScopeOf } from '../merchant-scope.ts';
import { problem } from '../openapi.ts';
import { transactionDetail, transactionPage } from '../merchant-schemas.ts';

const list = (what: string) => ({ type: 'string', maxLength: 4096, description: `comma-separated ${what}` });
const amount = (what: string) => ({ type: 'string', maxLength: 40, description: `${what} amount (inclusive), a decimal in the one \`currency\`'s major units` });

const querystring = {
  type: 'object', additionalProperties: false,
  properties: {
    status: list('statuses (pending, succeeded, failed): of the transaction\'s latest event'),
    currency: list('ISO 4217 codes'), payment_method: list('payment methods'), provider: list('providers'),
    amount_min: amount('smallest'), amount_max: amount('largest'),
    from: { type: 'string', maxLength: 64, description: 'created at or after (RFC 3339)' },
    to: { type: 'string', maxLength: 64, description: 'created before (RFC 3339)' },
    search: { type: 'string', minLength: 1, maxLength: MAX_ID, description: 'a transaction id, or a customer id named by one of its events (exact)' },
    sort: { type: 'string', enum: [...SORTS], description: 'creation time or amount, `-` for descending; default -created_at' },
    cursor: { type: 'string', maxLength: 1024, description: 'next_cursor of the previous page' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_TRANSACTION_PAGE} (default 50)` },
  },
};

export function merchantTransactionRoutes(app: FastifyInstance, deps: TransactionDeps) {
  app.get<{ Querystring: Query }>('/api/merchant/transactions', {
    config: { permission: 'merchant:transactions' },
    schema: {
      tags: ['merchant'],
      summary: 'The merchant\'s transactions (payment events folded per txn_id), filtered and sorted, keyset-paginated',
      headers: merchantHeaderSchema, querystring,
      response: { 200: transactionPage, 400: problem('invalid_parameter', 'invalid_range', 'merchant_required') },
    },
  }, async (req) => {
    const q = req.query;
    const from = q.from === undefined ? undefined : parseInstant('from', q.from, 0);
    const to = q.to === undefined ? undefined : parseInstant('to', q.to, 0);
    return listTransactions(deps, merchantScopeOf(req).merchantId, {
      statuses: csv(q.status, 'status'), currencies: csv(q.currency, 'currency'), methods: csv(q.payment_method, 'payment_method'),
      providers: csv(q.provider, 'provider'), amountMin: q.amount_min, amountMax: q.amount_max, from, to, search: q.search,
    }, { sort: (q.sort ?? '-created_at') as Sort, cursor: q.cursor, limit: readLimit(q.limit, 50, MAX_TRANSACTION_PAGE) });
  });

  app.get<{ Params: { id: string } }>('/api/merchant/transactions/:id', {
    config: { permission: 'merchant:transactions' },
    schema: {
      tags: ['merchant'],
      summary: 'One transaction and its events: payment lifecycle, refunds, disputes (another merchant\'s is 404, like a missing one)',
      headers: merchantHeaderSchema,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: MAX_ID, description: 'the txn_id' } } },
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: transactionDetail, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getTransaction(deps, merchantScopeOf(req).merchantId, req.params.id));
}
