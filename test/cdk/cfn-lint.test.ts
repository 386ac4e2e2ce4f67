import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";
import { addFixtureConsumer, PROD_CONTEXT, SOURCES } from "./fixtures/stacks";

const ROOT = join(import.meta.dirname, "..", "..");
const INSTALL_HINT =
  "install it with `bash scripts/ensure-cfn-lint.sh` (into .tools/venv; CI runs it from .ci/run)";

/** cfn-lint where scripts/ensure-cfn-lint.sh puts it, or where CFN_LINT or PATH say. */
function findCfnLint(): string | undefined {
  const candidates = [
    process.env.CFN_LINT,
    join(ROOT, ".tools", "venv", "bin", "cfn-lint"),
    join(homedir(), ".local", "bin", "cfn-lint"),
  ];
  const found = candidates.find((path) => path && existsSync(path));
  if (found) return found;
  const onPath = spawnSync("cfn-lint", ["--version"], { stdio: "ignore" });
  return onPath.status === 0 ? "cfn-lint" : undefined;
}

/** Synthesizes the app, as `cdk synth` would but without bundling, into a temp dir; returns the template file. */
function synthesizeTemplateFile(context: Record<string, unknown>, withFixtureConsumer: boolean): string {
  const outdir = mkdtempSync(join(tmpdir(), "tws-cfn-lint-"));
  const cdkJson = JSON.parse(readFileSync(join(ROOT, "cdk.json"), "utf8")) as {
    context: Record<string, unknown>;
  };
  const app = new App({ outdir, context: { ...cdkJson.context, ...context, "aws:cdk:bundling-stacks": [] } });
  const stack = buildStreamingApp(app);
  if (withFixtureConsumer) addFixtureConsumer(stack);
  app.synth();
  return join(outdir, stack.templateFile);
}

describe("cfn-lint", () => {
  it("passes every synthesized template: the app as cdk.json configures it, MSK in prod, brokers in a VPC", () => {
    const cfnLint = findCfnLint();
    if (!cfnLint) {
      const where = process.env.CI === "true" ? "CI must provide cfn-lint" : "cfn-lint is not installed";
      throw new Error(`${where}: ${INSTALL_HINT}`);
    }
    const templates = [
      synthesizeTemplateFile({}, false),
      synthesizeTemplateFile(
        {
          "theworldshop:kafka": SOURCES.mskIam,
          ...PROD_CONTEXT,
          "theworldshop:alertSubscriptions": [
            {
              protocol: "sqs",
              endpoint: "arn:aws:sqs:eu-west-1:123456789012:storefront-alerts",
              rawMessageDelivery: true,
            },
            {
              protocol: "lambda",
              endpoint: "arn:aws:lambda:eu-west-1:123456789012:function:page-the-fraud-team",
            },
            {
              protocol: "email",
              endpoint: "stock@theworldshop.example",
              filter: { alertType: ["OUT_OF_STOCK"] },
            },
          ],
          "theworldshop:opsSubscriptions": [{ protocol: "sms", endpoint: "+4915112345678" }],
        },
        true,
      ),
      synthesizeTemplateFile({ "theworldshop:kafka": SOURCES.selfManagedInVpc }, true),
    ];

    // W3005: CDK makes every function DependsOn its role as well as its role's policy; the role is redundant, not wrong.
    const args = ["--format", "parseable", "--ignore-checks", "W3005", "--", ...templates];
    const lint = spawnSync(cfnLint, args, { encoding: "utf8" });
    if (lint.error)
      throw new Error(`cfn-lint at ${cfnLint} did not run: ${lint.error.message}`, { cause: lint.error });
    expect(`${lint.stdout}${lint.stderr}`.trim(), `cfn-lint exit code ${lint.status}`).toBe("");
    expect(lint.status).toBe(0);
  });
});
