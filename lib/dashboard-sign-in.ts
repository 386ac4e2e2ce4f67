import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

/** The Cognito group whose members may read the dashboard; an operator adds each user to it. */
export const OPS_GROUP = "ops";

export interface DashboardSignInProps {
  /** The page's URL (`https://…/`): Cognito sends the signed-in user back there. */
  readonly pageUrl: string;
  /**
   * The sign-in domain's prefix, `<prefix>.auth.<region>.amazoncognito.com`.
   * @default `theworldshop-ops-<account>`
   */
  readonly domainPrefix?: string;
  /**
   * `required` makes every user enrol a TOTP authenticator at first sign-in.
   * @default "optional": each user may enrol one
   */
  readonly mfa?: "optional" | "required";
  /** `prod` keeps the user pool on stack deletion and protects it from deletion. */
  readonly stage: "dev" | "prod";
}

/**
 * Who may open the hosted ops dashboard: a user pool whose users an administrator creates (no self sign-up), with
 * a strong password policy and TOTP MFA, the `ops` group, and the page's app client (authorization code with PKCE,
 * no client secret: the page is public code). The dashboard API accepts only this pool's access tokens of `ops`.
 */
export class DashboardSignIn extends Construct {
  public readonly userPool: UserPool;
  public readonly client: UserPoolClient;
  public readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: DashboardSignInProps) {
    super(scope, id);
    const prod = props.stage === "prod";
    const mfa = props.mfa ?? "optional";
    this.userPool = new UserPool(this, "Users", {
      userPoolName: "theworldshop-ops-dashboard",
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      mfa: mfa === "required" ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const findings = Validations.of(this.userPool);
    if (mfa === "optional")
      findings.acknowledge({
        id: "AwsSolutions-COG2",
        reason:
          "MFA (TOTP) is offered to every user; set theworldshop:dashboard.signInMfa to required to make it mandatory",
      });
    findings.acknowledge({
      id: "AwsSolutions-COG8",
      reason:
        "an administrator creates each of the few ops users (no self sign-up); the Plus tier's threat protection is not bought",
    });
    new CfnUserPoolGroup(this, "OpsGroup", {
      userPoolId: this.userPool.userPoolId,
      groupName: OPS_GROUP,
      description: "May read the TheWorldShop ops dashboard",
    });
    this.client = this.userPool.addClient("Page", {
      userPoolClientName: "ops-dashboard-page",
      generateSecret: false,
      authFlows: { user: false, userSrp: false, userPassword: false, adminUserPassword: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [props.pageUrl],
        logoutUrls: [props.pageUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    this.domain = this.userPool.addDomain("SignIn", {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `theworldshop-ops-${Stack.of(this).account}` },
    });

    new CfnOutput(this, "UserPoolId", {
      description: "Create ops users here (admin-created only) and add them to the ops group",
      value: this.userPool.userPoolId,
    });
    new CfnOutput(this, "ClientId", {
      description: "The page's app client; scripts/deploy-dashboard.sh writes it into sign-in.json",
      value: this.client.userPoolClientId,
    });
    new CfnOutput(this, "Domain", {
      description: "The sign-in domain; scripts/deploy-dashboard.sh writes it into sign-in.json",
      value: this.domain.baseUrl(),
    });
  }
}
