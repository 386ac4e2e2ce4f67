import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildApp } from "fauxqs";

// fauxqs's own starter listens on every interface and names queues `sqs.<region>.localhost`, which does not
// resolve here. This starter binds the loopback address only and lets queue URLs take the request's host
// (`http://127.0.0.1:<port>/…`) by giving the SQS store no host of its own.
const port = Number(process.argv[2] ?? "0");
const fauxqsDist = dirname(fileURLToPath(import.meta.resolve("fauxqs")));
const { SqsStore } = (await import(pathToFileURL(join(fauxqsDist, "sqs", "sqsStore.js")).href)) as {
  SqsStore: new () => { host: string };
};
const sqsStore = new SqsStore();
sqsStore.host = "";
const app = buildApp({ logger: false, stores: { sqsStore } } as Parameters<typeof buildApp>[0]);
const address = await app.listen({ port, host: "127.0.0.1" });
process.stdout.write(`fauxqs listening on ${address}\n`);
