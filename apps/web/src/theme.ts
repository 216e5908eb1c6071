// Appearance, per device: the colour theme (dark, the default; light; or the system's, prefers-color-scheme), the
// message density (cozy with avatars, or compact) and the font scale; and Accessibility, per device: reduced motion
// and more contrast (each the system's, prefers-reduced-motion / prefers-contrast, unless chosen). public/theme.js
// applies the stored choices before the first paint; this module changes them and follows the system while
// "system" is chosen.
export type ThemeChoice = 'dark' | 'light' | 'system';
export type Density = 'cozy' | 'compact';
/** Font scales offered, in percent of the app's 15 px (everything is sized in rem, so all follows). */
export const fontScales = [90, 100, 110, 125] as const;
export type FontScale = (typeof fontScales)[number];

/** Reduced motion and more contrast: as the system says, or chosen on or off. */
export type SystemOr = 'system' | 'on' | 'off';

const key = 'hearth.theme';
const motionKey = 'hearth.reduced-motion';
const contrastKey = 'hearth.contrast';
const motionQuery = '(prefers-reduced-motion: reduce)';
const contrastQuery = '(prefers-contrast: more)';
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

function systemOr(k: string): SystemOr {
  const v = read(k);
  return v === 'on' || v === 'off' ? v : 'system';
}

export const reducedMotionChoice = (): SystemOr => systemOr(motionKey);
export const contrastChoice = (): SystemOr => systemOr(contrastKey);

/** `data-motion="reduce"` and `data-contrast="more"` on the root, from the choices (or the system's). */
function applyAccessibility(): void {
  const on = (choice: SystemOr, q: string) =>
    choice === 'on' || (choice === 'system' && matchMedia(q).matches);
  const root = document.documentElement.dataset;
  root.motion = on(reducedMotionChoice(), motionQuery) ? 'reduce' : 'full';
  root.contrast = on(contrastChoice(), contrastQuery) ? 'more' : 'normal';
}

export function setReducedMotion(choice: SystemOr): void {
  write(motionKey, choice);
  applyAccessibility();
}

export function setContrast(choice: SystemOr): void {
  write(contrastKey, choice);
  applyAccessibility();
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
  applyAccessibility();
  matchMedia(query).addEventListener('change', () => {
    if (themeChoice() === 'system') apply('system');
  });
  matchMedia(motionQuery).addEventListener('change', applyAccessibility);
  matchMedia(contrastQuery).addEventListener('change', applyAccessibility);
}
