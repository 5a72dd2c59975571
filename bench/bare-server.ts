// A bare express route answering fixed JSON: the ceiling the bot's HTTP throughput is compared with.
import express from "express";

const app = express();
app.use(express.json());
app.post("/api/messages", (_req, res) => {
  res.json({ conversationId: "api:bench", kind: "answer", intent: "bench", confidence: 1, replies: [{ text: "ok" }] });
});
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const addr = server.address();
  console.log(`listening on ${typeof addr === "object" && addr ? addr.port : "?"}`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
