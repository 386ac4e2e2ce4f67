import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("cdk synth", () => {
  it("synthesizes the stack offline with no AWS credentials", () => {
    const out = mkdtempSync(join(tmpdir(), "tws-synth-"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CDK_DISABLE_CLI_TELEMETRY: "true",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    for (const name of [
      "AWS_PROFILE",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_REGION",
    ]) {
      delete env[name];
    }
    execFileSync("npx", ["cdk", "synth", "--no-notices", "-q", "-o", out], {
      env,
      stdio: "pipe",
      timeout: 110_000,
    });
    const template = JSON.parse(readFileSync(join(out, "TheWorldShopStreaming.template.json"), "utf8"));
    expect(Object.values(template.Resources).map((r) => (r as { Type: string }).Type)).toContain(
      "AWS::SNS::Topic",
    );
  });
});
