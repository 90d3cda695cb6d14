// A small ranked table: position, name, formatted value.

export interface RankRow {
  key: string; name: string; value: string;
  /** The exact value as a tooltip, when `value` is in short form. */
  full?: string;
}

export function RankTable({ id, title, nameHeader, valueHeader, rows }: {
  id: string; title: string; nameHeader: string; valueHeader: string; rows: RankRow[];
}) {
  return (
    <section data-ranking={id} aria-label={title} className="rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <h2 className="mb-3 text-sm font-semibold text-slate-700 dark:text-slate-200">{title}</h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">—</p>
      ) : (
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
              <th className="w-8 pb-2 font-medium">#</th>
              <th className="pb-2 font-medium">{nameHeader}</th>
              <th className="pb-2 text-right font-medium">{valueHeader}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.key} data-row={r.key} className="border-t border-slate-100 dark:border-slate-700">
                <td className="py-1.5 text-slate-500 dark:text-slate-400 tabular-nums">{i + 1}</td>
                <td className="py-1.5 text-slate-800 dark:text-slate-100">{r.name}</td>
                <td data-field="value" title={r.full} className="py-1.5 text-right tabular-nums text-slate-900 dark:text-slate-100">{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
