import { ApplicationsService } from './applications/applications.service';
import { AuthService } from './auth/auth.service';
import type { Deps } from './deps';
import { UsersService } from './users/users.service';

/** Every domain service, built once per process. */
export function createServices(deps: Deps) {
  const auth = new AuthService(deps);
  return {
    auth,
    users: new UsersService(deps, auth),
    applications: new ApplicationsService(deps),
  };
}
export type Services = ReturnType<typeof createServices>;
