import { HANDLER_METADATA } from "../../lib/constructs/shop-function";
import { type CfnTemplate, resourcesOfType } from "../template";
import { LocalLambdaError } from "./errors";

/** A Lambda function of the template that the local runtime can run: its handler source and settings. */
export interface FunctionDefinition {
  readonly logicalId: string;
  readonly functionName: string;
  /** The handler source file, relative to the repository root. */
  readonly entry: string;
  /** The function's environment variables, resolved to the local resources. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

/**
 * The template's functions that name their handler source in metadata (`theworldshop:handler`), by logical id,
 * with environment values resolved by `resolve` (the local resources' `resolve`); only those in `only` if given.
 */
export function templateFunctions(
  template: CfnTemplate,
  resolve: (value: unknown) => unknown,
  only?: ReadonlySet<string>,
): Map<string, FunctionDefinition> {
  const functions = new Map<string, FunctionDefinition>();
  for (const [logicalId, resource] of resourcesOfType(template, "AWS::Lambda::Function")) {
    if (only && !only.has(logicalId)) continue;
    const handler = resource.Metadata?.[HANDLER_METADATA] as { entry?: unknown } | undefined;
    if (typeof handler?.entry !== "string") continue; // e.g. CDK's own custom-resource functions
    const props = resource.Properties ?? {};
    const variables =
      (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      try {
        environment[name] = String(resolve(value));
      } catch (error) {
        throw new LocalLambdaError(`${logicalId}: cannot resolve environment variable ${name} locally`, {
          cause: error,
        });
      }
    }
    functions.set(logicalId, {
      logicalId,
      functionName: typeof props.FunctionName === "string" ? props.FunctionName : logicalId,
      entry: handler.entry,
      environment,
      timeoutSeconds: typeof props.Timeout === "number" ? props.Timeout : 3,
      memorySize: typeof props.MemorySize === "number" ? props.MemorySize : 128,
    });
  }
  return functions;
}
