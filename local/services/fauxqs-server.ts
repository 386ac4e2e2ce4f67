import { buildApp } from "fauxqs";

// fauxqs's own starter listens on every interface; this one binds the loopback address only.
const port = Number(process.argv[2] ?? "0");
const app = buildApp({ logger: false });
const address = await app.listen({ port, host: "127.0.0.1" });
process.stdout.write(`fauxqs listening on ${address}\n`);
