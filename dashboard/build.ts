import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";

/** The page's sources: the HTML shell, its stylesheet and the TypeScript entry. */
export const DASHBOARD_DIR = import.meta.dirname;
const STATIC_FILES = ["index.html", "styles.css"] as const;

/**
 * Builds the ops dashboard page into `outDir` (index.html, styles.css, app.js): synchronous, so that CDK's
 * local asset bundling and the local server can both call it.
 */
export function buildDashboardPage(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [join(DASHBOARD_DIR, "src", "main.ts")],
    outfile: join(outDir, "app.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: true,
    logLevel: "warning",
  });
  for (const file of STATIC_FILES) copyFileSync(join(DASHBOARD_DIR, file), join(outDir, file));
}

if (process.argv[1] === import.meta.filename) {
  const outDir = join(DASHBOARD_DIR, "dist");
  buildDashboardPage(outDir);
  console.log(`built the ops dashboard into ${outDir}`);
}
