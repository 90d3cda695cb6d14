// The colour theme: the `dark` class on <html>. An explicit choice is kept in localStorage;
// without one the theme follows prefers-color-scheme.

import { useCallback, useEffect, useState } from 'react';

export type Theme = 'light' | 'dark';
const THEME_KEY = 'molam.analytics.theme';

function storedTheme(): Theme | null {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

const systemTheme = (): Theme => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');

/** The theme to show: the stored choice, else the system's. */
export function initialTheme(): Theme {
  return storedTheme() ?? systemTheme();
}

export function applyTheme(theme: Theme): void {
  document.documentElement.classList.toggle('dark', theme === 'dark');
}

export function useTheme() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [chosen, setChosen] = useState(() => storedTheme() !== null);

  useEffect(() => { applyTheme(theme); }, [theme]);

  // No explicit choice yet: follow the system while it changes.
  useEffect(() => {
    if (chosen || !window.matchMedia) return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setTheme(mq.matches ? 'dark' : 'light');
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [chosen]);

  const toggle = useCallback(() => {
    setTheme((current) => {
      const next: Theme = current === 'dark' ? 'light' : 'dark';
      try { localStorage.setItem(THEME_KEY, next); } catch { /* storage refused: this visit only */ }
      return next;
    });
    setChosen(true);
  }, []);
  return { theme, toggle };
}
