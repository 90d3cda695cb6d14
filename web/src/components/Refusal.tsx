// A refused request, shown where it happened, and the loading / error / empty states of a list:
// the same in every area. Each area says which problem codes it explains in its own words.

import { ApiError } from '../api.ts';

export interface RefusalWords {
  /** The lead when the server refused ("Refused:"), and when it could not be reached. */
  refused: string;
  networkError: string;
  /** The area's words for a problem code it knows; null for one it does not. */
  known(code: string): string | null;
}

/** What the server said, in words, with its status and code. */
export function Refusal({ error, words }: { error: Error | null; words: RefusalWords }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const known = api ? words.known(api.code) : null;
  return (
    <div role="alert" data-refusal={api?.code ?? 'error'}
      className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200 dark:bg-red-950/60 dark:text-red-200 dark:ring-red-800">
      <p className="font-medium"><span aria-hidden="true">⚠ </span>{api ? words.refused : words.networkError} {known}</p>
      <p className="mt-0.5 break-words text-xs">
        {api && <code className="mr-1 rounded bg-red-100 px-1 dark:bg-red-900">{api.status} {api.code}</code>}
        {error.message}
      </p>
    </div>
  );
}

/** Loading, error and empty states of a list (nothing once it has items). */
export function ListStateOf({ loading, error, empty, words, loadingText, emptyText }: {
  loading: boolean; error: Error | null; empty: boolean; words: RefusalWords; loadingText: string; emptyText: string;
}) {
  if (loading) return <p data-state="loading" className="py-6 text-center text-sm text-slate-600 dark:text-slate-400">{loadingText}</p>;
  if (error) return <div className="py-3"><Refusal error={error} words={words} /></div>;
  if (empty) return <p data-state="empty" className="py-6 text-center text-sm text-slate-600 dark:text-slate-400">{emptyText}</p>;
  return null;
}
