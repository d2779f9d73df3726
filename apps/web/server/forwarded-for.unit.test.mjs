import { once } from "node:events";
import { createServer, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { setClientAddress, trustFrom } from "./forwarded-for.mjs";

/** A real HTTP server that answers with the X-Forwarded-For its handler sees after the rule. */
const servers = [];
async function echoServer(setting) {
  const trust = trustFrom(setting);
  const server = createServer((req, res) => {
    setClientAddress(req, trust);
    res.end(req.headers["x-forwarded-for"] ?? "(none)");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return server.address().port;
}
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function get(port, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/login", headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the client address the dashboard forwards", () => {
  it("is the TCP peer's, whatever X-Forwarded-For a browser sends, with no proxy trusted", async () => {
    const port = await echoServer(undefined);
    expect(await get(port, { "x-forwarded-for": "203.0.113.7" })).toBe("127.0.0.1");
    expect(await get(port, { "x-forwarded-for": "203.0.113.7, 198.51.100.1" })).toBe("127.0.0.1");
    expect(await get(port, {})).toBe("127.0.0.1");
  });

  it("behind a trusted proxy, is the first hop that proxy did not add; earlier entries are the client's to choose", async () => {
    const port = await echoServer("loopback");
    // The proxy (here on loopback) appended the address it saw: that one counts.
    expect(await get(port, { "x-forwarded-for": "203.0.113.7" })).toBe("203.0.113.7");
    expect(await get(port, { "x-forwarded-for": "10.9.9.9, 198.51.100.1" })).toBe("198.51.100.1");
    expect(await get(port, {})).toBe("127.0.0.1");
  });

  it("refuses a setting it cannot read, naming the variable", () => {
    expect(() => trustFrom("not-an-address")).toThrow(/DASHBOARD_TRUST_PROXY: .*not-an-address/);
    expect(trustFrom("false")("127.0.0.1", 0)).toBe(false);
  });
});
