import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SIGN_IN_ENV } from "../../functions/dashboard-api/sign-in";
import { DASHBOARD_DOMAIN, SOURCES, streamingStack } from "./fixtures/stacks";

const synth = (context: Record<string, unknown> = {}) =>
  Template.fromStack(streamingStack({ "theworldshop:kafka": SOURCES.selfManaged, ...context }));

describe("the hosted ops dashboard's sign-in", () => {
  it("keeps its users in a pool only an administrator adds to, with a strong password policy and TOTP MFA on offer", () => {
    synth().hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
    });
  });

  it("requires TOTP of every user when theworldshop:dashboard.signInMfa is required", () => {
    synth({ "theworldshop:dashboard": { signInMfa: "required" } }).hasResourceProperties(
      "AWS::Cognito::UserPool",
      {
        MfaConfiguration: "ON",
        EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      },
    );
  });

  it("signs the page in with the authorization code flow, no client secret, back to the distribution's page", () => {
    const template = synth();

    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid", "email"],
      SupportedIdentityProviders: ["COGNITO"],
      PreventUserExistenceErrors: "ENABLED",
      CallbackURLs: [
        {
          "Fn::Join": [
            "",
            [
              "https://",
              { "Fn::GetAtt": [Match.stringLikeRegexp("^DashboardHostingDistribution"), "DomainName"] },
              "/",
            ],
          ],
        },
      ],
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: "ops" });
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", {
      Domain: { "Fn::Join": ["", ["theworldshop-ops-", { Ref: "AWS::AccountId" }]] },
    });
  });

  it("tells the dashboard API which pool's tokens and which group to accept", () => {
    synth().hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          [SIGN_IN_ENV.userPoolId]: { Ref: Match.stringLikeRegexp("^DashboardSignInUsers") },
          [SIGN_IN_ENV.group]: "ops",
        }),
      },
    });
  });

  it("keeps the IP allowlist in front of the page and of the API", () => {
    const distribution = Object.values(synth().findResources("AWS::CloudFront::Distribution"))[0];
    const config = distribution?.Properties.DistributionConfig;
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors])
      expect(behavior.FunctionAssociations).toEqual([
        {
          EventType: "viewer-request",
          FunctionARN: { "Fn::GetAtt": [expect.stringMatching(/ViewerAllowlist/), "FunctionARN"] },
        },
      ]);
  });

  it("refuses prod without a custom domain, naming the setting: the default certificate accepts TLS 1.0", () => {
    expect(() => synth({ "theworldshop:stage": "prod" })).toThrow(
      /theworldshop:dashboard\.domain: is required when stage is prod: without a custom domain CloudFront's default certificate accepts TLS 1\.0/,
    );
  });

  it("serves prod on its custom domain with TLS 1.2 at least, and signs users in back to that domain", () => {
    const template = synth({
      "theworldshop:stage": "prod",
      "theworldshop:dashboard": { domain: DASHBOARD_DOMAIN },
    });

    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Aliases: [DASHBOARD_DOMAIN.name],
        ViewerCertificate: Match.objectLike({
          MinimumProtocolVersion: "TLSv1.2_2021",
          SslSupportMethod: "sni-only",
        }),
      }),
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      CallbackURLs: [`https://${DASHBOARD_DOMAIN.name}/`],
    });
    template.hasResource("AWS::Cognito::UserPool", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({ DeletionProtection: "ACTIVE" }),
    });
  });
});
