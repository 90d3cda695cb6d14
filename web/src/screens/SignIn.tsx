// Sign-in. In dev mode: pick a role (and a merchant — the ones with data are offered, from
// GET /api/dev/merchants) and get a dev token from the server. Outside
// dev mode that endpoint is 404 and the token comes from the identity provider; this slice lets
// you paste one. A pasted token must look like a JWT (three base64url parts, a JSON header) and be
// accepted by GET /api/v1/me before it is kept; otherwise the form says why (the server's reason).

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { apiGet, DEV_ROLES, fetchDevMerchants, requestDevToken, type DevRole } from '../api.ts';
import { Segmented } from '../components/Segmented.tsx';
import { LANGS, translate, type Lang, type MessageKey } from '../i18n.ts';
import { roleName } from '../labels.ts';

const field = 'w-full rounded-xl border border-slate-300 bg-white dark:bg-slate-800 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200';
const primary = 'w-full rounded-xl bg-indigo-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 disabled:opacity-60';

export function SignIn({ onToken, lang, setLang }: { onToken: (token: string) => void; lang: Lang; setLang: (l: Lang) => void }) {
  const t = (key: MessageKey) => translate(lang, key);
  const [role, setRole] = useState<DevRole>('analytics:ops');
  const [merchantId, setMerchantId] = useState('');
  const [user, setUser] = useState('');
  const [pasted, setPasted] = useState('');
  const signIn = useMutation({
    mutationFn: () => requestDevToken(role, role === 'merchant_admin' ? merchantId.trim() : undefined, user.trim() || undefined),
    onSuccess: (token) => { if (token) onToken(token); },
  });
  // null: the server answered 404, it has no dev sign-in.
  const devAvailable = signIn.data !== null;
  const merchants = useQuery({ queryKey: ['dev-merchants'], queryFn: fetchDevMerchants, enabled: role === 'merchant_admin', staleTime: 60_000 });
  const suggested = merchants.data?.[0]?.merchant_id ?? 'm_123';

  const submitDev = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };
  const [shapeError, setShapeError] = useState<MessageKey | null>(null);
  const check = useMutation({
    mutationFn: async (token: string) => { await apiGet('/api/v1/me', token); return token; },
    onSuccess: (token) => onToken(token),
  });
  const submitPasted = (e: FormEvent) => {
    e.preventDefault();
    const token = pasted.trim().replace(/^Bearer\s+/i, '');
    const problem = !token ? 'signin_token_empty' : looksLikeJwt(token) ? null : 'signin_token_shape';
    setShapeError(problem);
    check.reset();
    if (!problem) check.mutate(token);
  };
  const tokenError = shapeError ? t(shapeError) : check.error ? `${t('signin_token_refused')} ${check.error.message}` : null;

  return (
    <div className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md rounded-2xl bg-white dark:bg-slate-800 p-8 shadow-lg ring-1 ring-slate-200/70 dark:ring-slate-700">
        <div className="flex items-start justify-between gap-3">
          <div>
            <h1 className="text-xl font-semibold">Molam Analytics</h1>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t('signin_subtitle')}</p>
          </div>
          <Segmented<Lang> label={t('language')} options={LANGS} value={lang} onChange={setLang} text={(l) => l.toUpperCase()} />
        </div>

        {devAvailable ? (
          <form onSubmit={submitDev} className="mt-6 space-y-4" aria-label={t('signin_dev_form')}>
            <p className="rounded-xl bg-amber-50 px-3 py-2 text-xs text-amber-800 ring-1 ring-amber-200">
              {t('signin_dev_note')}
            </p>
            <label className="block text-sm font-medium">
              {t('signin_role')}
              <select name="role" value={role} onChange={(e) => setRole(e.target.value as DevRole)} className={`mt-1 ${field}`}>
                {DEV_ROLES.map((r) => <option key={r} value={r}>{roleName(r, lang)}</option>)}
              </select>
            </label>
            {role === 'merchant_admin' && (
              <label className="block text-sm font-medium">
                {t('signin_merchant')}
                <input name="merchant_id" value={merchantId} onChange={(e) => setMerchantId(e.target.value)} required
                  list="dev-merchants" aria-describedby="dev-merchants-hint"
                  pattern="[A-Za-z0-9._:@\|\-]{1,128}" placeholder={suggested} className={`mt-1 ${field}`} />
                <datalist id="dev-merchants">
                  {merchants.data?.map((m) => <option key={m.merchant_id} value={m.merchant_id}>{m.merchant_id}</option>)}
                </datalist>
                <span id="dev-merchants-hint" className="mt-1 block text-xs font-normal text-slate-500 dark:text-slate-400">
                  {merchants.data?.length ? t('signin_merchants_with_data') : t('signin_merchants_none')}
                </span>
              </label>
            )}
            {role === 'merchant_admin' && merchants.data && merchants.data.length > 0 && (
              <div className="flex flex-wrap gap-1" role="group" aria-label={t('signin_merchants_with_data')}>
                {merchants.data.slice(0, 6).map((m) => (
                  <button key={m.merchant_id} type="button" onClick={() => setMerchantId(m.merchant_id)} aria-pressed={merchantId === m.merchant_id}
                    className="rounded-full px-2 py-0.5 font-mono text-xs ring-1 ring-slate-300 hover:bg-slate-50 aria-pressed:bg-indigo-600 aria-pressed:text-white dark:ring-slate-600 dark:hover:bg-slate-700">
                    {m.merchant_id}
                  </button>
                ))}
              </div>
            )}
            <label className="block text-sm font-medium">
              {t('signin_user')}
              <input name="sub" value={user} onChange={(e) => setUser(e.target.value)}
                pattern="[A-Za-z0-9._:@\|\-]{1,128}" placeholder={`ana@${suggested}`} className={`mt-1 ${field}`} />
            </label>
            {signIn.error && <p role="alert" className="text-sm text-rose-700">{signIn.error.message}</p>}
            <button type="submit" disabled={signIn.isPending} className={primary}>
              {signIn.isPending ? t('signin_pending') : t('signin_button')}
            </button>
          </form>
        ) : (
          <p role="status" className="mt-6 rounded-xl bg-slate-50 px-3 py-2 text-sm text-slate-700 dark:text-slate-200 ring-1 ring-slate-200 dark:ring-slate-700">
            {t('signin_no_dev')}
          </p>
        )}

        <form onSubmit={submitPasted} className="mt-6 space-y-2 border-t border-slate-100 dark:border-slate-700 pt-6" aria-label={t('signin_token_form')}>
          <label className="block text-sm font-medium">
            {t('signin_token')}
            <textarea name="token" rows={3} value={pasted} onChange={(e) => setPasted(e.target.value)}
              aria-invalid={!!tokenError} aria-describedby={tokenError ? 'signin-token-error' : undefined}
              placeholder="eyJhbGciOi…" className={`mt-1 font-mono ${field}`} />
          </label>
          {tokenError && <p id="signin-token-error" role="alert" data-field-error className="text-sm text-rose-700 dark:text-rose-300">{tokenError}</p>}
          <button type="submit" disabled={check.isPending} className="disabled:opacity-60 w-full rounded-xl bg-white dark:bg-slate-800 px-4 py-2 text-sm font-medium shadow-sm ring-1 ring-slate-300 hover:bg-slate-50 dark:hover:bg-slate-700">
            {check.isPending ? t('signin_token_checking') : t('signin_use_token')}
          </button>
        </form>
      </div>
    </div>
  );
}

/** header.payload.signature in base64url, the header a JSON object naming its algorithm. */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.slice(0, 2).every((p) => /^[A-Za-z0-9_-]+$/.test(p)) || !/^[A-Za-z0-9_-]*$/.test(parts[2])) return false;
  try {
    const header = JSON.parse(atob(parts[0].replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}
