import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { seedPhoneHistory } from './phone';
import './styles.css';
import { watchTheme } from './theme';

watchTheme();
seedPhoneHistory();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
