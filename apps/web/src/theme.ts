// The colour theme, per device: dark (the default), light, or the system's (prefers-color-scheme). public/theme.js applies the
// stored choice before the first paint; this module changes it and follows the system while "system" is chosen.
export type ThemeChoice = 'dark' | 'light' | 'system';

const key = 'hearth.theme';
const query = '(prefers-color-scheme: light)';

export function themeChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(key);
    return v === 'light' || v === 'system' ? v : 'dark';
  } catch {
    return 'dark';
  }
}

function apply(choice: ThemeChoice): void {
  const light = choice === 'light' || (choice === 'system' && matchMedia(query).matches);
  document.documentElement.dataset.theme = light ? 'light' : 'dark';
}

export function setTheme(choice: ThemeChoice): void {
  try {
    localStorage.setItem(key, choice);
  } catch {
    // A store that refuses writes: the choice lasts for this page.
  }
  apply(choice);
}

/** Applies the stored choice and follows the system's preference while it is "system". */
export function watchTheme(): void {
  apply(themeChoice());
  matchMedia(query).addEventListener('change', () => {
    if (themeChoice() === 'system') apply('system');
  });
}
