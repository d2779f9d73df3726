// A bare Apollo Server (Apollo 5 on Express 5, as the API, with a one-field schema and nothing
// else: no auth, no database, no plugins), the throughput benchmark's yardstick for what this
// machine can serve at all: `{ hello }` costs Apollo's and Express's own work only.
//   API_PORT=4100 API_PROCESSES=2 node --import tsx apps/api/bench/bare-apollo.ts
// API_PROCESSES > 1 runs that many processes behind the port (node:cluster), as the API does.
import cluster from "node:cluster";
import http from "node:http";
import express from "express";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";

const port = Number(process.env.API_PORT ?? 4100);
const processes = Number(process.env.API_PROCESSES ?? 1);

if (cluster.isPrimary && processes > 1) {
  for (let i = 0; i < processes; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  });
} else {
  const apollo = new ApolloServer({
    typeDefs: "type Query { hello: String }",
    resolvers: { Query: { hello: () => "world" } },
  });
  await apollo.start();
  const app = express();
  app.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  app.use("/graphql", express.json(), expressMiddleware(apollo));
  const server = http.createServer(app);
  server.listen(port, "127.0.0.1");
  process.on("SIGTERM", () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
