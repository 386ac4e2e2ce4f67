import type { PageSignIn } from "../build";

/**
 * Sign-in of the hosted page (Cognito managed login, authorization code with PKCE). scripts/deploy-dashboard.sh
 * builds the page with the stack's sign-in domain and client; the local server builds it without, so the page on
 * 127.0.0.1 runs without sign-in.
 */
declare const __SIGN_IN__: PageSignIn | null;
type SignInConfig = PageSignIn;

/** The header the dashboard API reads the access token from (functions/dashboard-api/sign-in.ts). */
const TOKEN_HEADER = "x-theworldshop-token";
const TOKEN_KEY = "theworldshop.dashboard.accessToken";
const PENDING_KEY = "theworldshop.dashboard.signIn";
/** A token this close to its expiry is renewed by signing in again rather than refused mid-refresh. */
const EXPIRY_MARGIN_S = 60;

/** Thrown while the browser goes to the sign-in page: the caller shows it as a notice, nothing more. */
export class SigningInError extends Error {
  constructor() {
    super("signing in");
    this.name = "SigningInError";
  }
}

/** Headers that prove the user signed in; none when the page is served without sign-in. */
export async function signedInHeaders(): Promise<Record<string, string>> {
  const signIn = __SIGN_IN__;
  if (!signIn) return {};
  const token = validToken() ?? (await tokenFromRedirect(signIn));
  if (token) return { [TOKEN_HEADER]: token };
  await goToSignIn(signIn);
  throw new SigningInError();
}

/** Drops the token the API refused, so the next request signs in again. */
export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

function validToken(): string | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return undefined;
  try {
    // Only to know when to sign in again: the API verifies the token's signature, issuer and group.
    const { exp } = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as {
      exp: number;
    };
    return exp - EXPIRY_MARGIN_S > Date.now() / 1000 ? token : undefined;
  } catch {
    return undefined;
  }
}

const redirectUri = () => `${location.origin}/`;

async function tokenFromRedirect(signIn: SignInConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null") as {
    state: string;
    verifier: string;
  } | null;
  if (!code || !pending || params.get("state") !== pending.state) return undefined;
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, "", redirectUri());
  const response = await fetch(`${signIn.domain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: signIn.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) return undefined;
  const { access_token: token } = (await response.json()) as { access_token: string };
  sessionStorage.setItem(TOKEN_KEY, token);
  return token;
}

async function goToSignIn(signIn: SignInConfig): Promise<void> {
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier }));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  const query = new URLSearchParams({
    response_type: "code",
    client_id: signIn.clientId,
    redirect_uri: redirectUri(),
    scope: "openid email",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${signIn.domain}/oauth2/authorize?${query}`);
}

const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
