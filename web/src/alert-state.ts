// An alert's state in the user's language (the list, the overview's latest alerts).

import type { MessageKey } from './i18n.ts';

const STATES = ['pending', 'firing', 'resolved', 'nodata', 'error'];

/** The translated state; an unknown one as the API spells it. */
export function stateName(state: string, t: (key: MessageKey) => string): string {
  return STATES.includes(state) ? t(`state_${state}` as MessageKey) : state;
}
