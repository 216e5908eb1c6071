// An in-app link's click handler: the router navigates instead of the browser loading the page.
import { navigate } from '../../router';

export const link = (to: string) => (e: React.MouseEvent) => {
  e.preventDefault();
  navigate(to);
};
