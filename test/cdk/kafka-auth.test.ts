import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import {
  CLIENT_CERTIFICATE_ARN,
  ROOT_CA_ARN,
  SECRET_ARN,
  SECRET_KEY_ARN,
  SOURCES,
  streamingStack,
} from "./fixtures/stacks";

const synth = (kafka: unknown) => Template.fromStack(streamingStack({ "theworldshop:kafka": kafka }));
const INVENTORY = { Topics: ["theworldshop.inventory"] };
const VPC_ACCESS = [
  { Type: "VPC_SECURITY_GROUP", URI: "sg-0a1b2c3d" },
  { Type: "VPC_SUBNET", URI: "subnet-0a1b2c3d" },
  { Type: "VPC_SUBNET", URI: "subnet-4e5f6a7b" },
];

/** The inventory consumer's role policy statements. */
function inventoryStatements(template: Template): Record<string, unknown>[] {
  const policies = template.findResources("AWS::IAM::Policy", {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp("^InventoryConsumerFunctionRole") }] },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const readsSecret = (arn: string) =>
  expect.objectContaining({
    Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    Effect: "Allow",
    Resource: arn,
  });

describe("the pollers' Kafka authentication", () => {
  it("uses MSK IAM access control with no secret at all", () => {
    synth(SOURCES.mskIam).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ...INVENTORY,
      SourceAccessConfigurations: Match.absent(),
    });
  });

  it("uses MSK SASL/SCRAM with the AmazonMSK_ secret, and may decrypt it with its customer-managed key only through Secrets Manager", () => {
    const template = synth(SOURCES.mskScram);

    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ...INVENTORY,
      SourceAccessConfigurations: [{ Type: "SASL_SCRAM_512_AUTH", URI: SECRET_ARN }],
    });
    const statements = inventoryStatements(template);
    expect(statements).toContainEqual(readsSecret(SECRET_ARN));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: "kms:Decrypt",
        Resource: SECRET_KEY_ARN,
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
      }),
    );
  });

  it("uses an MSK client certificate (mTLS) from its secret, never as SCRAM credentials", () => {
    const template = synth(SOURCES.mskMtls);

    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ...INVENTORY,
      SourceAccessConfigurations: [{ Type: "CLIENT_CERTIFICATE_TLS_AUTH", URI: CLIENT_CERTIFICATE_ARN }],
    });
    expect(inventoryStatements(template)).toContainEqual(readsSecret(CLIENT_CERTIFICATE_ARN));
  });

  it("uses a client certificate with self-managed brokers and verifies them against the configured root CA", () => {
    const template = synth(SOURCES.selfManagedMtls);

    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ...INVENTORY,
      SourceAccessConfigurations: Match.arrayEquals([
        { Type: "CLIENT_CERTIFICATE_TLS_AUTH", URI: CLIENT_CERTIFICATE_ARN },
        { Type: "SERVER_ROOT_CA_CERTIFICATE", URI: ROOT_CA_ARN },
      ]),
    });
    const readable = inventoryStatements(template)
      .filter((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"))
      .map((s) => s.Resource);
    expect(readable.sort()).toStrictEqual([ROOT_CA_ARN, CLIENT_CERTIFICATE_ARN].sort());
  });

  it.each([
    ["sasl-scram-256", "SASL_SCRAM_256_AUTH"],
    ["basic", "BASIC_AUTH"],
    ["sasl-scram-512", "SASL_SCRAM_512_AUTH"],
  ])("uses self-managed %s credentials from the configured secret", (auth, type) => {
    synth({ ...SOURCES.selfManagedInVpc, auth }).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ...INVENTORY,
      SourceAccessConfigurations: Match.arrayEquals([{ Type: type, URI: SECRET_ARN }, ...VPC_ACCESS]),
    });
  });

  it('connects to unauthenticated brokers only when "auth": "none" is spelt out, and warns', () => {
    const stack = streamingStack({ "theworldshop:kafka": SOURCES.selfManagedWithoutAuth });

    Template.fromStack(stack).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ...INVENTORY,
      SourceAccessConfigurations: Match.arrayEquals(VPC_ACCESS),
    });
    Annotations.fromStack(stack).hasWarning(
      "*",
      Match.stringLikeRegexp('theworldshop:kafka\\.auth is "none"'),
    );
    Template.fromStack(stack).resourceCountIs("AWS::SecretsManager::Secret", 0);
  });
});

describe("a Kafka auth setting the pollers cannot use", () => {
  const { secretKeyArn: _key, ...scramWithoutKey } = SOURCES.mskScram;
  const { secretArn: _secret, ...vpcWithoutSecret } = SOURCES.selfManagedInVpc;
  it.each([
    [
      "MSK SASL/SCRAM without the secret's key",
      scramWithoutKey,
      /theworldshop:kafka\.secretKeyArn: is required when auth is sasl-scram: MSK accepts only SCRAM secrets encrypted with a customer-managed KMS key/,
    ],
    [
      "MSK SASL/SCRAM with a secret not named AmazonMSK_…",
      { ...SOURCES.mskScram, secretArn: CLIENT_CERTIFICATE_ARN },
      /theworldshop:kafka\.secretArn: must name a secret whose name starts with AmazonMSK_/,
    ],
    [
      "MSK mTLS without the client certificate",
      { ...SOURCES.mskMtls, secretArn: undefined },
      /theworldshop:kafka\.secretArn: is required when auth is mtls/,
    ],
    [
      "MSK IAM with a secret",
      { ...SOURCES.mskIam, secretArn: SECRET_ARN },
      /theworldshop:kafka\.secretArn: must not be set with auth iam/,
    ],
    [
      "self-managed brokers in a VPC with neither credentials nor an explicit none",
      vpcWithoutSecret,
      /theworldshop:kafka\.secretArn: is required when auth is sasl-scram-512 inside a VPC; for brokers without authentication set "auth": "none"/,
    ],
    [
      "self-managed mTLS without the client certificate",
      { ...SOURCES.selfManagedMtls, secretArn: undefined },
      /theworldshop:kafka\.secretArn: is required when auth is mtls/,
    ],
    [
      "unauthenticated brokers over the internet",
      { ...SOURCES.selfManagedWithoutAuth, vpc: undefined },
      /theworldshop:kafka\.auth: must not be "none" for brokers reached over the internet/,
    ],
    [
      '"auth": "none" with credentials',
      { ...SOURCES.selfManagedWithoutAuth, secretArn: SECRET_ARN },
      /theworldshop:kafka\.secretArn: must not be set with "auth": "none"/,
    ],
  ])("fails synth, naming the setting: %s", (_, kafka, message) => {
    expect(() => streamingStack({ "theworldshop:kafka": kafka })).toThrow(message);
  });
});
