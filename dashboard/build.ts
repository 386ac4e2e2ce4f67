import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";

/** The page's sources: the HTML shell, its stylesheet and the TypeScript entry. */
export const DASHBOARD_DIR = import.meta.dirname;
const STATIC_FILES = ["index.html", "styles.css"] as const;

/** The hosted page's sign-in: the stack's Cognito domain (`https://…amazoncognito.com`) and the page's client. */
export interface PageSignIn {
  readonly domain: string;
  readonly clientId: string;
}

/**
 * Builds the ops dashboard page into `outDir` (index.html, styles.css, app.js): synchronous, so that CDK's
 * local asset bundling and the local server can both call it. Without `signIn` (the local server) the page
 * asks for no sign-in.
 */
export function buildDashboardPage(outDir: string, signIn?: PageSignIn): void {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [join(DASHBOARD_DIR, "src", "main.ts")],
    outfile: join(outDir, "app.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: true,
    define: { __SIGN_IN__: JSON.stringify(signIn ?? null) },
    logLevel: "warning",
  });
  for (const file of STATIC_FILES) copyFileSync(join(DASHBOARD_DIR, file), join(outDir, file));
}

if (process.argv[1] === import.meta.filename) {
  const outDir = join(DASHBOARD_DIR, "dist");
  // scripts/deploy-dashboard.sh sets these from the stack's outputs.
  const domain = process.env.DASHBOARD_SIGN_IN_DOMAIN;
  const clientId = process.env.DASHBOARD_SIGN_IN_CLIENT_ID;
  buildDashboardPage(outDir, domain && clientId ? { domain, clientId } : undefined);
  console.log(`built the ops dashboard into ${outDir}`);
}
