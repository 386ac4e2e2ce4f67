import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Jwks } from "aws-jwt-verify/jwk";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import {
  opsAccessTokenVerifier,
  requireSignIn,
  TOKEN_HEADER,
} from "../../../functions/dashboard-api/sign-in";

const USER_POOL_ID = "eu-west-1_OpsPool01";
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`;
const GROUP = "ops";
const KID = "ops-key-1";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const { privateKey: strangerKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const { n, e } = publicKey.export({ format: "jwk" });
const jwks: Jwks = { keys: [{ kty: "RSA", n: n!, e: e!, kid: KID, alg: "RS256", use: "sig" }] };

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** An access token as Cognito issues it (RS256, the pool's issuer), with `claims` changed. */
function accessToken(claims: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
  const header = base64url({ alg: "RS256", kid: KID, typ: "JWT" });
  const payload = base64url({
    iss: ISSUER,
    sub: "5f0c-ops-user",
    client_id: "dashboardclient",
    token_use: "access",
    scope: "openid email",
    "cognito:groups": [GROUP],
    iat: now() - 60,
    exp: now() + 3600,
    ...claims,
  });
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(key).toString("base64url");
  return `${header}.${payload}.${signature}`;
}

function request(token?: string): APIGatewayProxyEventV2 {
  return {
    rawPath: "/api/dashboard",
    headers: token === undefined ? {} : { [TOKEN_HEADER]: token },
    requestContext: { http: { method: "GET" } },
  } as unknown as APIGatewayProxyEventV2;
}

function signedInApi() {
  const verifier = opsAccessTokenVerifier(USER_POOL_ID, GROUP);
  (verifier as unknown as { cacheJwks(jwks: Jwks): void }).cacheJwks(jwks);
  const api = vi.fn(async () => ({ statusCode: 200, body: '{"panels":"…"}' }));
  return { api, handler: requireSignIn(api, verifier) };
}

describe("the dashboard API behind sign-in", () => {
  it("answers a member of the ops group with a valid access token", async () => {
    const { api, handler } = signedInApi();

    const response = await handler(request(accessToken()));

    expect(response.statusCode).toBe(200);
    expect(api).toHaveBeenCalledOnce();
  });

  it.each([
    ["no token", undefined],
    ["a token signed by another key", accessToken({}, strangerKey)],
    ["an expired token", accessToken({ iat: now() - 7200, exp: now() - 3600 })],
    [
      "a token of another user pool",
      accessToken({ iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other" }),
    ],
    ["an ID token instead of an access token", accessToken({ token_use: "id" })],
    ["a token whose payload was changed after signing", tampered(accessToken())],
  ])("refuses %s with 401 and reads nothing", async (_, token) => {
    const { api, handler } = signedInApi();

    const response = await handler(request(token));

    expect(response.statusCode).toBe(401);
    expect(api).not.toHaveBeenCalled();
  });

  it("refuses a signed-in user outside the ops group with 403 and reads nothing", async () => {
    const { api, handler } = signedInApi();

    const response = await handler(request(accessToken({ "cognito:groups": ["storefront"] })));

    expect(response.statusCode).toBe(403);
    expect(api).not.toHaveBeenCalled();
  });
});

function tampered(token: string): string {
  const [header, , signature] = token.split(".");
  const payload = base64url({
    iss: ISSUER,
    token_use: "access",
    "cognito:groups": [GROUP],
    exp: now() + 3600,
  });
  return `${header}.${payload}.${signature}`;
}
