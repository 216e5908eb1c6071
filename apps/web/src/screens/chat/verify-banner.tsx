// The banner asking a new account to confirm its email, with a resend.
import { useState } from 'react';
import * as endpoints from '../../endpoints';

export function VerifyBanner({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  return (
    <div className="banner notice" role="status">
      Confirm your email: we sent a link to {email}.{' '}
      {sent ? (
        'Sent again.'
      ) : (
        <button
          type="button"
          className="link"
          onClick={() => endpoints.resendVerification().then(() => setSent(true))}
        >
          Send it again
        </button>
      )}
    </div>
  );
}
