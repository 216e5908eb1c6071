// Runs before the app's first paint (a blocking script in <head>, allowed by the CSP as same-origin): sets the
// theme this device chose (src/theme.ts keeps it afterwards), so a light page never flashes dark.
(() => {
  let choice = 'dark';
  try {
    choice = localStorage.getItem('hearth.theme') || 'dark';
  } catch {}
  const light =
    choice === 'light' || (choice === 'system' && matchMedia('(prefers-color-scheme: light)').matches);
  document.documentElement.dataset.theme = light ? 'light' : 'dark';
})();
