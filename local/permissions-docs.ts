import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { permissionsTable, withPermissionsTable } from "./permissions";
import { synthesizeTemplate } from "./template";

// `npm run docs:permissions`: rewrites docs/deploy.md's permissions table from the template cdk.json synthesizes.
const path = join(import.meta.dirname, "..", "docs", "deploy.md");
const document = readFileSync(path, "utf8");
const updated = withPermissionsTable(document, permissionsTable(synthesizeTemplate()));
writeFileSync(path, updated);
console.log(
  updated === document
    ? "docs/deploy.md: permissions table up to date"
    : "docs/deploy.md: permissions table rewritten",
);
