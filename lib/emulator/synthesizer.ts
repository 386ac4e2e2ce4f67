import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DefaultStackSynthesizer, type FileAssetSource, type ISynthesisSession } from "aws-cdk-lib";
import { StreamingConfigError } from "../config";
import { adaptTemplateForEmulator, EMULATORS, type Emulator } from "./adapt-template";

/** Context key naming the AWS emulator a deployment targets; unset for AWS itself. */
export const EMULATOR_CONTEXT = "theworldshop:emulator";

/** The emulator named by context `theworldshop:emulator`, or undefined when the target is AWS. */
export function emulatorFromContext(tryGetContext: (key: string) => unknown): Emulator | undefined {
  const value = tryGetContext(EMULATOR_CONTEXT);
  if (value === undefined || value === "") return undefined;
  if (!EMULATORS.includes(value as Emulator))
    throw new StreamingConfigError(
      `invalid TheWorldShop streaming config:\n  ${EMULATOR_CONTEXT}: must be one of ${EMULATORS.join(", ")}, got ${JSON.stringify(value)}`,
    );
  return value as Emulator;
}

/**
 * The default synthesizer (same bootstrap stack, same asset publishing), whose template is adapted to what
 * the emulator's CloudFormation can create; see `adaptTemplateForEmulator` and docs/localstack.md.
 */
export class EmulatorSynthesizer extends DefaultStackSynthesizer {
  constructor(private readonly emulator: Emulator) {
    super();
  }

  protected override synthesizeTemplate(
    session: ISynthesisSession,
    ...lookupRole: [string?, string?, Record<string, unknown>?]
  ): FileAssetSource {
    const source = super.synthesizeTemplate(session, ...lookupRole);
    const file = join(session.outdir, this.boundStack.templateFile);
    const { template } = adaptTemplateForEmulator(JSON.parse(readFileSync(file, "utf8")), this.emulator);
    const text = JSON.stringify(template, undefined, 1);
    writeFileSync(file, text);
    // The template asset is published under its hash: the hash of what is actually deployed.
    return { ...source, sourceHash: createHash("sha256").update(text).digest("hex") };
  }
}
