// HTTP interactions (ADR 0038): every application has an Ed25519 key pair; interactions for an application with an
// `interactions_endpoint_url` are POSTed there, signed the way Discord signs them, and the endpoint's JSON answer is
// the interaction's response.
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { ErrorCode } from '@hearth/protocol';
import { and, eq, isNull } from 'drizzle-orm';
import { OutboundError, outboundRequest } from '../../net/outbound';
import type { DbOrTx } from '../../store/db';
import { applications } from '../../store/schema';
import type { Deps } from '../deps';
import { invalidField, notFound } from '../errors';

/** Discord's deadline for an interaction's first answer. */
const interactionTimeoutMs = 3000;
/** An endpoint's answer larger than this is refused (a message with embeds and components fits with room). */
const interactionAnswerMaxBytes = 256 * 1024;

export interface ApplicationKeys {
  /** Hex of the 32-byte public key: the application object's `verify_key`. */
  verifyKey: string;
  /** PKCS#8 DER of the private key, base64. */
  signingKey: string;
}

/** A fresh Ed25519 key pair for an application. */
export function newApplicationKeys(): ApplicationKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  return {
    verifyKey: raw.toString('hex'),
    signingKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

/** The keys of an application, made and stored on first use for applications created before they existed. */
export async function applicationKeys(
  db: DbOrTx,
  app: { id: string; verifyKey: string | null; signingKey: string | null },
): Promise<ApplicationKeys> {
  if (app.verifyKey && app.signingKey) return { verifyKey: app.verifyKey, signingKey: app.signingKey };
  const keys = newApplicationKeys();
  await db
    .update(applications)
    .set(keys)
    .where(and(eq(applications.id, app.id), isNull(applications.verifyKey)));
  // Two first uses at once: the first write wins, both read it.
  const [row] = await db
    .select({ verifyKey: applications.verifyKey, signingKey: applications.signingKey })
    .from(applications)
    .where(eq(applications.id, app.id));
  if (!row?.verifyKey || !row.signingKey) throw notFound(ErrorCode.UnknownApplication, 'Application');
  return { verifyKey: row.verifyKey, signingKey: row.signingKey };
}

/** Discord's headers for a body: X-Signature-Ed25519 is the hex signature of timestamp + body. */
function signInteraction(
  signingKey: string | KeyObject,
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
): { 'x-signature-ed25519': string; 'x-signature-timestamp': string } {
  const key =
    typeof signingKey === 'string'
      ? createPrivateKey({ key: Buffer.from(signingKey, 'base64'), format: 'der', type: 'pkcs8' })
      : signingKey;
  const signature = sign(null, Buffer.from(timestamp + body), key).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
}

export type EndpointFailure = OutboundError['reason'] | 'bad_status' | 'bad_json';

export class EndpointError extends Error {
  constructor(
    readonly reason: EndpointFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface EndpointAnswer {
  status: number;
  /** The parsed JSON the endpoint answered with. */
  body: unknown;
}

interface PostOptions {
  timeoutMs?: number;
  allowHosts?: readonly string[];
  /** Tests of the endpoint's checks: sign something other than the body sent. */
  corruptSignature?: boolean;
}

/** POSTs a payload to an endpoint signed with the key; the raw answer (any status). Throws EndpointError when unreachable. */
async function postSigned(
  url: string,
  signingKey: string,
  payload: unknown,
  opts: PostOptions = {},
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(payload);
  const headers = signInteraction(signingKey, opts.corruptSignature ? `${body} ` : body);
  try {
    const answer = await outboundRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body },
      {
        timeoutMs: opts.timeoutMs ?? interactionTimeoutMs,
        maxBytes: interactionAnswerMaxBytes,
        allowHosts: opts.allowHosts,
      },
    );
    return { status: answer.status, text: answer.body.toString('utf8') };
  } catch (err) {
    if (err instanceof OutboundError) throw new EndpointError(err.reason, err.message);
    throw err;
  }
}

/**
 * HTTP delivery of an interaction: POSTs `payload` (Discord's interaction object) to the application's
 * interactions endpoint, signed with its key, and returns the endpoint's JSON answer (the interaction response).
 * Throws EndpointError when the application has no endpoint ('invalid_url'), or the endpoint is unreachable, too
 * slow (3 s), answers too much, not 2xx or not JSON. The caller treats any throw as "the application did not respond".
 */
export async function deliverInteractionOverHttp(
  deps: Pick<Deps, 'db' | 'config'>,
  applicationId: string,
  payload: unknown,
  opts: { timeoutMs?: number } = {},
): Promise<EndpointAnswer> {
  const [app] = await deps.db.select().from(applications).where(eq(applications.id, applicationId));
  if (!app?.interactionsEndpointUrl)
    throw new EndpointError('invalid_url', 'The application has no interactions endpoint');
  const keys = await applicationKeys(deps.db, app);
  const answer = await postSigned(app.interactionsEndpointUrl, keys.signingKey, payload, {
    timeoutMs: opts.timeoutMs,
    allowHosts: deps.config.outboundAllowHosts,
  });
  return { status: answer.status, body: parseAnswer(answer) };
}

function parseAnswer(answer: { status: number; text: string }): unknown {
  if (answer.status < 200 || answer.status >= 300)
    throw new EndpointError('bad_status', `The endpoint answered ${answer.status}`, answer.status);
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new EndpointError('bad_json', 'The endpoint did not answer with JSON', answer.status);
  }
}

/**
 * What Discord checks before saving an interactions endpoint: a signed PING (type 1) is answered with
 * `{"type":1}`, and the same PING with a wrong signature is refused (401). 50035 on interactions_endpoint_url
 * saying what went wrong otherwise.
 */
export async function verifyInteractionsEndpoint(
  deps: Pick<Deps, 'config' | 'ids'>,
  app: { id: string; signingKey: string },
  url: string,
): Promise<void> {
  const fail = (message: string) =>
    invalidField(
      ['interactions_endpoint_url'],
      'APPLICATION_INTERACTIONS_ENDPOINT_URL_INVALID',
      `The specified interactions endpoint url could not be verified: ${message}`,
    );
  const ping = {
    id: deps.ids.next(),
    application_id: app.id,
    type: 1,
    token: 'ping',
    version: 1,
  };
  const opts = { allowHosts: deps.config.outboundAllowHosts };
  try {
    const good = await postSigned(url, app.signingKey, ping, opts);
    const body = parseAnswer(good) as { type?: unknown } | null;
    if (body?.type !== 1) throw fail('a signed PING must be answered with {"type": 1}');
    const bad = await postSigned(url, app.signingKey, ping, { ...opts, corruptSignature: true });
    if (bad.status >= 200 && bad.status < 300)
      throw fail('a request with an invalid signature was accepted; it must be refused with 401');
  } catch (err) {
    if (err instanceof EndpointError) throw fail(err.message);
    throw err;
  }
}
