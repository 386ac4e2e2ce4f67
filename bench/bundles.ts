import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ESM_REQUIRE_BANNER } from "../lib/constructs/shop-function";

export interface BundleResult {
  readonly bundleBytes: number;
  readonly importMs: number;
}

const ROOT = join(import.meta.dirname, "..");
const OUT = join(ROOT, ".cache", "bench", "bundles");

/**
 * B4: bundles a handler the way the stack does (esbuild, ESM, minified, node22, AWS SDK left to the runtime)
 * and times its import in a fresh Node process: the part of a cold start the code controls.
 */
export async function measureBundle(
  entry: string,
  environment: Readonly<Record<string, string>>,
  runs = 5,
): Promise<BundleResult> {
  const name = entry
    .replace(/^functions\//, "")
    .replace(/\.ts$/, "")
    .replaceAll("/", "-");
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: "node",
    target: "node22",
    format: "esm",
    external: ["@aws-sdk/*"],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: "error",
  });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const script = `const t=performance.now();await import(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`;
    const env = { ...process.env, ...environment };
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      env,
      encoding: "utf8",
      stdio: "pipe",
    });
    times.push(Number(output));
  }
  times.sort((a, b) => a - b);
  return { bundleBytes: statSync(outfile).size, importMs: times[Math.floor(times.length / 2)]! };
}
