import type { Logger } from "@aws-lambda-powertools/logger";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { CognitoJwtInvalidGroupError } from "aws-jwt-verify/error";
import { requiredEnv } from "../shared/env";
import type { DashboardApiHandler } from "./api";

/** The environment the stack gives the API function for the sign-in check. */
export const SIGN_IN_ENV = { userPoolId: "OPS_USER_POOL_ID", group: "OPS_GROUP" } as const;

/**
 * The header the page sends the Cognito access token in. Not `Authorization`: CloudFront's origin access control
 * signs the request to the IAM-authenticated Function URL there, and a viewer's value would displace it.
 */
export const TOKEN_HEADER = "x-theworldshop-token";

/** Checks a token's signature, issuer, expiry, use and group; throws when any does not hold. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<unknown>;
}

/**
 * Verifies access tokens of the ops user pool (its JWKS, fetched once and cached) whose user is in `group`. Any
 * app client of the pool is accepted: the stack gives the pool one, and pinning its id here would make the
 * function depend on the client, the client on the distribution (its callback URL), the distribution on the function.
 */
export function opsAccessTokenVerifier(userPoolId: string, group: string): AccessTokenVerifier {
  return CognitoJwtVerifier.create({ userPoolId, tokenUse: "access", clientId: null, groups: group });
}

/** The verifier the stack's environment names; fails naming a missing variable. */
export function opsAccessTokenVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): AccessTokenVerifier {
  return opsAccessTokenVerifier(
    requiredEnv(SIGN_IN_ENV.userPoolId, env),
    requiredEnv(SIGN_IN_ENV.group, env),
  );
}

const refuse = (statusCode: 401 | 403, message: string) => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify({ message }),
});

/**
 * `api` behind sign-in: a request without a valid access token of a user in the ops group gets 401 (403 for a
 * signed-in user outside the group) and reads nothing.
 */
export function requireSignIn(
  api: DashboardApiHandler,
  verifier: AccessTokenVerifier,
  logger?: Logger,
): DashboardApiHandler {
  return async (event) => {
    const token = event.headers?.[TOKEN_HEADER];
    if (!token) return refuse(401, "sign in to see the ops dashboard");
    try {
      await verifier.verify(token);
    } catch (error) {
      // The reason only (expired, wrong issuer, …): the token itself is a credential and never logged.
      logger?.warn("dashboard token refused", { reason: (error as Error).name });
      return error instanceof CognitoJwtInvalidGroupError
        ? refuse(403, "your user is not in the ops group")
        : refuse(401, "sign in again: the token is not valid");
    }
    return api(event);
  };
}
