import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DefaultStackSynthesizer, type FileAssetSource, type ISynthesisSession } from "aws-cdk-lib";
import { adaptTemplateForEmulator, type Emulator } from "./adapt-template";

/** Context key naming the AWS emulator a deployment targets (config `emulator`); unset for AWS itself. */
export const EMULATOR_CONTEXT = "theworldshop:emulator";

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
