// The rule editor: create (POST /rules) or change (PATCH /rules/{id}) any kind of rule the schema
// takes. Save stays disabled until POST /rules/preview has replayed this exact draft over the
// last 7 days (RulePreview); any edit after that asks for a new preview. The form checks its own
// fields first (a name, numbers in range) and says what is wrong at the field; server refusals
// are shown next to the buttons in words (problem code → message), with the server's detail.
// Metrics are offered by label, a ratio's threshold is typed in percent, and channels are picked
// from the webhook endpoints (GET /api/analytics/alerts/webhooks).

import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiPatch, apiPost, type AlertRule, type RuleDraft, type RulePreview as Preview } from '../../api.ts';
import type { Lang, MessageKey } from '../../i18n.ts';
import { useMetrics, type Metrics } from '../../metric-registry.ts';
import { rulesKey } from './queries.ts';
import {
  applyKind, AUTO_ACTIONS, checkForm, CONDITION_TYPES, FILTER_DIMENSIONS, fromRule, GROUP_BY_DIMENSIONS, newForm,
  RULE_KINDS, SEVERITIES, THRESHOLD_OPS, toDraft, type FormErrors, type RuleForm, type RuleKind,
} from './rule-form.ts';
import { RulePreview } from './RulePreview.tsx';
import { card, field, hint, labelText, primary, Refusal, secondary, translator } from './ui.tsx';

interface Webhook { id: number | string; url: string; enabled: boolean }

type Props = { token: string; lang: Lang; rule: AlertRule | null; onClose: (saved: AlertRule | null) => void };

/** Waits for the metric registry (a rule's threshold reads in percent only if its metric is a ratio). */
export function RuleEditor(props: Props) {
  const registry = useMetrics(props.token);
  if (!registry.ready && !registry.error) return <section className={card}><p className={hint}>{translator(props.lang)('loading')}</p></section>;
  return <RuleEditorForm {...props} registry={registry} />;
}

function RuleEditorForm({ token, lang, rule, onClose, registry }: Props & { registry: Metrics }) {
  const t = translator(lang);
  const queryClient = useQueryClient();
  const isRatio = (metric: string) => registry.unit(metric) === 'ratio';
  const [kind, setKind] = useState<RuleKind>(rule ? 'custom' : 'refund_rate');
  const [form, setForm] = useState<RuleForm>(() => (rule ? fromRule(rule, isRatio(rule.metric)) : newForm()));
  const [previewed, setPreviewed] = useState<string | null>(null);
  const [checked, setChecked] = useState(false);
  const webhooks = useQuery({
    queryKey: ['alert-webhooks', token],
    queryFn: () => apiGet<{ items: Webhook[] }>('/api/analytics/alerts/webhooks', token),
    staleTime: 60_000,
  });
  const percent = isRatio(form.metric);
  const draft = toDraft(form, percent);
  const errors: FormErrors = checked ? checkForm(form) : {};
  const err = (name: string) => (errors[name] ? t(errors[name]) : undefined);
  /** Preview or save only a form with nothing wrong that it can see; else point at the first field. */
  const ready = (): boolean => {
    setChecked(true);
    const found = Object.keys(checkForm(form));
    if (found.length === 0) return true;
    document.querySelector<HTMLElement>(`[data-rule-editor] [name="${found[0]}"]`)?.focus();
    return false;
  };
  const draftKey = JSON.stringify(draft);
  const preview = useMutation({
    mutationFn: (body: RuleDraft) => apiPost<Preview>('/api/analytics/alerts/rules/preview', token, body),
    onSuccess: (_answer, body) => setPreviewed(JSON.stringify(body)),
  });
  const save = useMutation({
    mutationFn: (body: RuleDraft) => (rule
      ? apiPatch<AlertRule>(`/api/analytics/alerts/rules/${encodeURIComponent(rule.id)}`, token, body)
      : apiPost<AlertRule>('/api/analytics/alerts/rules', token, body)),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: rulesKey(token) });
      onClose(saved);
    },
  });
  const fresh = preview.data !== undefined && previewed === draftKey;
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const toggle = (key: 'groupBy' | 'autoActions', value: string, on: boolean) =>
    setForm((f) => ({ ...f, [key]: on ? [...f[key], value] : f[key].filter((v) => v !== value) }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready()) return;
    if (fresh) save.mutate(draft);
    else preview.mutate(draft);
  };

  // Until the registry arrives (or if it cannot be read) the rule's own metric is the one option.
  const names = registry.all.map((m) => m.name);
  const options = names.includes(form.metric) ? names : [form.metric, ...names];
  const chosen = registry.all.find((m) => m.name === form.metric);
  const unit = chosen?.unit;
  const hooks = webhooks.data?.items ?? [];
  const hookIds = [...hooks.map((w) => String(w.id)), ...form.channels.filter((c) => !hooks.some((w) => String(w.id) === c))];
  const hookText = (id: string) => {
    const w = hooks.find((h) => String(h.id) === id);
    return w ? `${w.url}${w.enabled ? '' : ` (${t('rule_webhook_disabled')})`}` : `#${id} (${t('rule_webhook_missing')})`;
  };
  const text = (key: string) => t(key as MessageKey);

  return (
    <section data-rule-editor={rule?.id ?? 'new'} aria-labelledby="rule-editor-title" className={card}>
      <h2 id="rule-editor-title" className="mb-4 text-lg font-semibold">
        {rule ? `${t('rule_edit_title')} ${rule.name}` : t('rule_new_title')}
      </h2>
      <form onSubmit={submit} noValidate className="space-y-5">
        <Group legend={t('rule_what')}>
          {!rule && (
            <Select label={t('rule_kind')} name="kind" value={kind} hint={t('rule_kind_hint')}
              onChange={(v) => { setKind(v as RuleKind); setForm((f) => applyKind(f, v as RuleKind)); }}
              options={RULE_KINDS.map((k) => [k, text(`rule_kind_${k}`)])} />
          )}
          <label className={labelText}>
            {t('rule_name')}
            <input name="name" value={form.name} maxLength={200} required onChange={(e) => set('name', e.target.value)} className={field}
              aria-invalid={!!err('name')} aria-describedby={err('name') ? 'rule-error-name' : undefined} />
            <FieldError id="rule-error-name" text={err('name')} />
          </label>
          <Select label={t('metric')} name="metric" value={form.metric} onChange={(v) => { setKind('custom'); set('metric', v); }}
            options={options.map((name) => [name, registry.label(name, lang)])} hint={chosen?.description} />
          <NumberField label={t('rule_window')} name="window_minutes" error={err('window_minutes')} value={form.windowMinutes} onChange={(v) => set('windowMinutes', v)}
            hint={t('rule_window_hint')} min={1} max={1440} />
        </Group>

        <Group legend={t('rule_condition')}>
          <Select label={t('rule_condition_type')} name="condition_type" value={form.conditionType}
            onChange={(v) => { setKind('custom'); set('conditionType', v as RuleForm['conditionType']); }}
            options={CONDITION_TYPES.map((c) => [c, text(`rule_condition_${c}`)])} />
          {form.conditionType === 'threshold' && <>
            <Select label={t('rule_op')} name="op" value={form.op} onChange={(v) => set('op', v as RuleForm['op'])}
              options={THRESHOLD_OPS.map((o) => [o, o])} />
            <NumberField label={percent ? `${t('rule_value')} (%)` : t('rule_value')} name="value" value={form.value} onChange={(v) => set('value', v)} step="any"
              error={err('value')} hint={unit === 'ratio' ? t('rule_value_ratio') : unit === 'usd' ? t('rule_value_usd') : unit === 'count' ? t('rule_value_count') : undefined} />
          </>}
          {form.conditionType === 'change' && <>
            <Select label={t('rule_baseline')} name="baseline" value={form.baseline} onChange={(v) => set('baseline', v as RuleForm['baseline'])}
              options={[['trailing_mean', t('rule_baseline_trailing_mean')], ['week_ago', t('rule_baseline_week_ago')]]} />
            {form.baseline === 'trailing_mean' && (
              <NumberField label={t('rule_trailing_windows')} name="trailing_windows" error={err('trailing_windows')} value={form.trailingWindows} min={1} max={500}
                onChange={(v) => set('trailingWindows', v)} />
            )}
            <Select label={t('rule_direction')} name="change_op" value={form.changeOp} onChange={(v) => set('changeOp', v as RuleForm['changeOp'])}
              options={[['>', t('rule_change_rise')], ['<', t('rule_change_fall')]]} />
            <NumberField label={t('rule_percent')} name="percent" error={err('percent')} value={form.percent} onChange={(v) => set('percent', v)} min={0} step="any" />
          </>}
          {form.conditionType === 'anomaly' && <>
            <NumberField label={t('rule_baseline_windows')} name="baseline_windows" error={err('baseline_windows')} value={form.baselineWindows} min={3} max={500}
              onChange={(v) => set('baselineWindows', v)} />
            <NumberField label={t('rule_z')} name="z" error={err('z')} value={form.z} onChange={(v) => set('z', v)} min={0} step="any" hint={t('rule_z_hint')} />
            <Select label={t('rule_direction')} name="direction" value={form.direction} onChange={(v) => set('direction', v as RuleForm['direction'])}
              options={(['up', 'down', 'both'] as const).map((d) => [d, text(`rule_direction_${d}`)])} />
            <NumberField label={t('rule_min_volume')} name="min_volume" error={err('min_volume')} value={form.minVolume} min={0} onChange={(v) => set('minVolume', v)}
              hint={t('rule_min_volume_hint')} />
          </>}
        </Group>

        <Group legend={t('rule_lifecycle')}>
          <Select label={t('alert_severity')} name="severity" value={form.severity} onChange={(v) => set('severity', v as RuleForm['severity'])}
            options={SEVERITIES.map((s) => [s, text(`severity_${s}`)])} />
          <NumberField label={t('rule_for')} name="for_minutes" error={err('for_minutes')} value={form.forMinutes} min={0} max={1440} onChange={(v) => set('forMinutes', v)}
            hint={t('rule_for_hint')} />
          <NumberField label={t('rule_repeat')} name="repeat_interval_minutes" error={err('repeat_interval_minutes')} value={form.repeatMinutes} min={0} max={10080}
            onChange={(v) => set('repeatMinutes', v)} hint={t('rule_repeat_hint')} />
          <label className="flex items-center gap-2 self-end pb-2 text-sm font-medium text-slate-700 dark:text-slate-200">
            <input type="checkbox" name="enabled" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)}
              className="size-4 accent-indigo-600" />
            {t('rule_enabled')}
          </label>
        </Group>

        <Group legend={t('rule_scope')} note={t('rule_scope_hint')} narrow>
          {FILTER_DIMENSIONS.map((d) => (
            <label key={d} className={labelText}>
              {text(`dim_${d}`)}
              <input name={`filter_${d}`} value={form.filters[d] ?? ''} autoComplete="off"
                onChange={(e) => set('filters', { ...form.filters, [d]: e.target.value })} className={field} />
            </label>
          ))}
        </Group>

        <div className="grid gap-5 md:grid-cols-2">
          <Checkboxes legend={t('rule_group_by')} note={t('rule_group_by_hint')} name="group_by" values={GROUP_BY_DIMENSIONS} checked={form.groupBy}
            text={(d) => text(`dim_${d}`)} onChange={(d, on) => toggle('groupBy', d, on)} />
          <div className="space-y-4">
            <Checkboxes legend={t('rule_auto_actions')} note={t('rule_auto_actions_hint')} name="auto_actions" values={AUTO_ACTIONS}
              checked={form.autoActions} text={(a) => text(`action_${a}`)} onChange={(a, on) => toggle('autoActions', a, on)} />
            {webhooks.error ? <Refusal error={webhooks.error} t={t} lead={t('rule_webhooks_failed')} />
              : hookIds.length === 0 ? (
                <p className={hint}>{webhooks.data ? t('rule_no_webhooks') : t('loading')}</p>
              ) : (
                <Checkboxes legend={t('rule_channels')} note={t('rule_channels_hint')} name="channels" values={hookIds} checked={form.channels}
                  text={hookText} onChange={(id, on) => set('channels', on ? [...form.channels, id] : form.channels.filter((c) => c !== id))} />
              )}
          </div>
        </div>

        <div className="space-y-3 border-t border-slate-100 pt-4 dark:border-slate-700">
          {preview.data && <RulePreview preview={preview.data} stale={!fresh} lang={lang} />}
          <Refusal error={preview.error ?? save.error} t={t} lead={t('rule_refused')} />
          <p className={hint} id="rule-save-hint">{fresh ? t('rule_preview_ok') : t('rule_preview_first')}</p>
          <div className="flex flex-wrap gap-2">
            <button type="button" className={secondary} disabled={preview.isPending} onClick={() => { if (ready()) preview.mutate(draft); }}>
              {preview.isPending ? t('rule_previewing') : t('rule_preview')}
            </button>
            <button type="button" className={primary} disabled={!fresh || save.isPending} aria-describedby="rule-save-hint"
              onClick={() => { if (ready()) save.mutate(draft); }}>
              {t('rule_save')}
            </button>
            <button type="button" className={secondary} onClick={() => onClose(null)}>{t('cancel')}</button>
          </div>
        </div>
      </form>
    </section>
  );
}

function Group({ legend, note, narrow, children }: { legend: string; note?: string; narrow?: boolean; children: ReactNode }) {
  return (
    <fieldset className="min-w-0">
      <legend className="mb-2 text-sm font-semibold text-slate-800 dark:text-slate-100">{legend}</legend>
      {note && <p className={`${hint} -mt-1 mb-2`}>{note}</p>}
      <div className={`grid gap-3 ${narrow ? 'grid-cols-2' : 'sm:grid-cols-2'} lg:grid-cols-4`}>{children}</div>
    </fieldset>
  );
}

function Select({ label, name, value, options, onChange, hint: help }: {
  label: string; name: string; value: string; options: Array<[string, string]>; onChange: (v: string) => void; hint?: string;
}) {
  return (
    <label className={labelText}>
      {label}
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)} className={field}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
      {help && <span className={hint}>{help}</span>}
    </label>
  );
}

function NumberField({ label, name, value, onChange, hint: help, min, max, step, error }: {
  label: string; name: string; value: string; onChange: (v: string) => void; hint?: string; min?: number; max?: number; step?: string; error?: string;
}) {
  const errorId = `rule-error-${name}`;
  return (
    <label className={labelText}>
      {label}
      <input type="number" name={name} value={value} min={min} max={max} step={step ?? '1'} inputMode="decimal"
        aria-invalid={!!error} aria-describedby={error ? errorId : undefined}
        onChange={(e) => onChange(e.target.value)} className={field} />
      <FieldError id={errorId} text={error} />
      {help && <span className={hint}>{help}</span>}
    </label>
  );
}

/** What is wrong with a field, under it (announced: the input points at it with aria-describedby). */
function FieldError({ id, text }: { id: string; text?: string }) {
  if (!text) return null;
  return <span id={id} data-field-error className="mt-1 block text-xs font-medium text-red-700 dark:text-red-300"><span aria-hidden="true">⚠ </span>{text}</span>;
}

function Checkboxes({ legend, note, name, values, checked, text, onChange }: {
  legend: string; note: string; name: string; values: readonly string[]; checked: string[];
  text: (v: string) => string; onChange: (v: string, on: boolean) => void;
}) {
  return (
    <fieldset className="min-w-0">
      <legend className="text-sm font-semibold text-slate-800 dark:text-slate-100">{legend}</legend>
      <p className={`${hint} mb-2`}>{note}</p>
      <div className="flex flex-wrap gap-x-4 gap-y-2">
        {values.map((v) => (
          <label key={v} className="flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-200">
            <input type="checkbox" name={name} value={v} checked={checked.includes(v)} onChange={(e) => onChange(v, e.target.checked)}
              className="size-4 accent-indigo-600" />
            {text(v)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
