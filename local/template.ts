import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { buildStreamingApp } from "../lib/app";
import { parseStreamingConfig, type StreamingConfig } from "../lib/config";

/** The parts of a CloudFormation template the local runtime reads. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

const ROOT = join(import.meta.dirname, "..");

/**
 * Synthesizes the stack in process (without bundling the functions) from cdk.json's context plus
 * `context`, and returns its template: the one list of resources local runs create.
 */
export function synthesizeTemplate(context: Record<string, unknown> = {}): CfnTemplate {
  // A directory of its own: test files synthesize side by side, with different contexts.
  const outdir = mkdtempSync(join(tmpdir(), "tws-synth-"));
  try {
    const app = new App({
      outdir,
      context: { ...cdkContext(), ...context, "aws:cdk:bundling-stacks": [] },
    });
    const stack = buildStreamingApp(app);
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The streaming config the template is synthesized from (cdk.json's context plus `context`). */
export function localStreamingConfig(context: Record<string, unknown> = {}): StreamingConfig {
  const merged: Record<string, unknown> = { ...cdkContext(), ...context };
  return parseStreamingConfig((key) => merged[key]);
}

function cdkContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** The resources of one type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}
