// Appearance, per device: the colour theme (dark, the default; light; or the system's, prefers-color-scheme), the
// message density (cozy with avatars, or compact) and the font scale. public/theme.js applies the stored choices
// before the first paint; this module changes them and follows the system while "system" is chosen.
export type ThemeChoice = 'dark' | 'light' | 'system';
export type Density = 'cozy' | 'compact';
/** Font scales offered, in percent of the app's 15 px (everything is sized in rem, so all follows). */
export const fontScales = [90, 100, 110, 125] as const;
export type FontScale = (typeof fontScales)[number];

const key = 'hearth.theme';
const densityKey = 'hearth.density';
const scaleKey = 'hearth.font-scale';
const query = '(prefers-color-scheme: light)';

function read(k: string): string | null {
  try {
    return localStorage.getItem(k);
  } catch {
    return null;
  }
}

function write(k: string, v: string): void {
  try {
    localStorage.setItem(k, v);
  } catch {
    // A store that refuses writes: the choice lasts for this page.
  }
}

export function themeChoice(): ThemeChoice {
  const v = read(key);
  return v === 'light' || v === 'system' ? v : 'dark';
}

export function densityChoice(): Density {
  return read(densityKey) === 'compact' ? 'compact' : 'cozy';
}

export function fontScaleChoice(): FontScale {
  const v = Number(read(scaleKey));
  return (fontScales as readonly number[]).includes(v) ? (v as FontScale) : 100;
}

function apply(choice: ThemeChoice): void {
  const light = choice === 'light' || (choice === 'system' && matchMedia(query).matches);
  document.documentElement.dataset.theme = light ? 'light' : 'dark';
}

function applyLayout(density: Density, scale: FontScale): void {
  document.documentElement.dataset.density = density;
  document.documentElement.style.setProperty('--font-scale', String(scale / 100));
}

export function setTheme(choice: ThemeChoice): void {
  write(key, choice);
  apply(choice);
}

export function setDensity(density: Density): void {
  write(densityKey, density);
  applyLayout(density, fontScaleChoice());
}

export function setFontScale(scale: FontScale): void {
  write(scaleKey, String(scale));
  applyLayout(densityChoice(), scale);
}

/** Applies the stored choices and follows the system's preference while the theme is "system". */
export function watchTheme(): void {
  apply(themeChoice());
  applyLayout(densityChoice(), fontScaleChoice());
  matchMedia(query).addEventListener('change', () => {
    if (themeChoice() === 'system') apply('system');
  });
}
