// Runs before the app's first paint (a blocking script in <head>, allowed by the CSP as same-origin): sets the
// theme, message density, font scale, reduced motion and contrast this device chose (src/theme.ts keeps them
// afterwards), so a light page never flashes dark and the text never jumps size.
(() => {
  const read = (k) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  };
  const choice = read('hearth.theme') || 'dark';
  const light =
    choice === 'light' || (choice === 'system' && matchMedia('(prefers-color-scheme: light)').matches);
  const root = document.documentElement;
  root.dataset.theme = light ? 'light' : 'dark';
  root.dataset.density = read('hearth.density') === 'compact' ? 'compact' : 'cozy';
  const scale = Number(read('hearth.font-scale'));
  if ([90, 100, 110, 125].includes(scale)) root.style.setProperty('--font-scale', String(scale / 100));
  const on = (k, q) => {
    const v = read(k);
    return v === 'on' || (v !== 'off' && matchMedia(q).matches);
  };
  root.dataset.motion = on('hearth.reduced-motion', '(prefers-reduced-motion: reduce)') ? 'reduce' : 'full';
  root.dataset.contrast = on('hearth.contrast', '(prefers-contrast: more)') ? 'more' : 'normal';
})();
