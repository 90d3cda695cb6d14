// What every section of the routing screen shares: the token, what it may do, the language, the
// view's time zone (every date is shown in it), and a way to open a proposal from anywhere.

import { createContext, useContext } from 'react';
import type { Lang } from '../../i18n.ts';
import type { Me } from '../../me.ts';
import type { T } from '../alerts/ui.tsx';

export interface RoutingCtx {
  token: string; me: Me; lang: Lang; t: T; tz: string;
  /** mesh:approve: approve, reject and roll back proposals, start a canary. */
  approver: boolean;
  /** mesh:manage: predict now, generate and simulate proposals, stop a canary, the kill switch. */
  manager: boolean;
}

export const RoutingContext = createContext<RoutingCtx | null>(null);

export function useRouting(): RoutingCtx {
  const ctx = useContext(RoutingContext);
  if (!ctx) throw new Error('useRouting outside the routing screen');
  return ctx;
}
