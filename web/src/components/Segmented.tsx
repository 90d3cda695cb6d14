// A row of toggle buttons (range, language, metric): one pressed at a time, keyboard reachable.

export const focusRing = 'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';
const segment = `rounded-lg px-3 py-1.5 text-sm font-medium ${focusRing}`;
const segmentOn = `${segment} bg-indigo-600 text-white shadow-sm`;
const segmentOff = `${segment} text-slate-600 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-700`;

export function Segmented<T extends string>({ label, options, value, onChange, text }: {
  label: string; options: readonly T[]; value: T; onChange: (v: T) => void; text: (v: T) => string;
}) {
  return (
    <div role="group" aria-label={label} className="flex flex-wrap gap-1 rounded-xl bg-white dark:bg-slate-800 p-1 shadow-sm ring-1 ring-slate-200 dark:ring-slate-700">
      {options.map((o) => (
        <button key={o} type="button" data-option={o} aria-pressed={o === value} onClick={() => onChange(o)}
          className={o === value ? segmentOn : segmentOff}>
          {text(o)}
        </button>
      ))}
    </div>
  );
}
