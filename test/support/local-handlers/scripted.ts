import type { Context, MSKEvent } from "aws-lambda";
import { scriptFor } from "./scripts";

// A Lambda handler whose behaviour the test scripts: the function's SCRIPT environment variable names it.
export const handler = async (event: MSKEvent, context: Context): Promise<unknown> => {
  return scriptFor(process.env.SCRIPT)(event, context);
};
