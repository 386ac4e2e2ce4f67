import { Annotations, Validations } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { KafkaSource } from "../config";

/**
 * The secret the pollers authenticate with (SASL/SCRAM or basic credentials, or the mTLS client certificate): the
 * configured one (with the key it is encrypted with, so the grant covers decrypting it), or, for self-managed
 * brokers over the internet, a new secret the operator fills in with the brokers' credentials. MSK with IAM auth
 * and self-managed brokers with `"auth": "none"` need none; the latter synthesizes with a warning.
 */
export function kafkaSecretOf(scope: Construct, kafka: KafkaSource): ISecret | undefined {
  if (kafka.mode === "self-managed" && kafka.auth === "none")
    Annotations.of(scope).addWarningV2(
      "theworldshop:kafka-no-auth",
      'theworldshop:kafka.auth is "none": any client inside the VPC can read the shop\'s topics as these pollers. ' +
        "Prefer sasl-scram-512 or mtls (docs/deploy.md).",
    );
  if (kafka.secretArn) {
    return Secret.fromSecretAttributes(scope, "KafkaSecret", {
      secretCompleteArn: kafka.secretArn,
      encryptionKey: kafka.secretKeyArn
        ? Key.fromKeyArn(scope, "KafkaSecretKey", kafka.secretKeyArn)
        : undefined,
    });
  }
  if (kafka.mode !== "self-managed" || kafka.vpc || kafka.auth === "none" || kafka.auth === "mtls")
    return undefined;
  const secret = new Secret(scope, "KafkaCredentials", {
    description: "SASL/SCRAM credentials the Lambda pollers use for TheWorldShop's Kafka brokers",
    generateSecretString: {
      secretStringTemplate: '{"username":"theworldshop"}',
      generateStringKey: "password",
    },
  });
  Validations.of(secret).acknowledge({
    id: "AwsSolutions-SMG4",
    reason:
      "these are the brokers' SCRAM credentials: they are rotated on the brokers and here together, which a rotation function cannot do",
  });
  return secret;
}

/**
 * The root CA the pollers verify self-managed brokers' TLS certificates with (`theworldshop:kafka.rootCaSecretArn`),
 * imported in `scope` (one per consumer: only the event source mapping reads it).
 * @returns undefined when the brokers' certificates chain to a public CA
 */
export function kafkaRootCaOf(scope: Construct, kafka: KafkaSource): ISecret | undefined {
  if (kafka.mode !== "self-managed" || !kafka.rootCaSecretArn) return undefined;
  return Secret.fromSecretAttributes(scope, "KafkaRootCa", {
    secretCompleteArn: kafka.rootCaSecretArn,
    encryptionKey: kafka.rootCaSecretKeyArn
      ? Key.fromKeyArn(scope, "KafkaRootCaKey", kafka.rootCaSecretKeyArn)
      : undefined,
  });
}
