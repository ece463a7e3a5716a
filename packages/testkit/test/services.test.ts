import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { describeWithService, serviceAvailable, servicesRequired, unusedLocalPort } from "../src/index";

describe("serviceAvailable", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it("is true while a server listens and false once it has stopped", async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address !== "object") throw new Error("no address");
    expect(await serviceAvailable("127.0.0.1", address.port)).toBe(true);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    expect(await serviceAvailable("127.0.0.1", address.port)).toBe(false);
  });

  it("is false on a port nothing listens on", async () => {
    expect(await serviceAvailable("127.0.0.1", await unusedLocalPort())).toBe(false);
  });
});

describe("servicesRequired", () => {
  it("is true only for FRIENDHOOK_REQUIRE_SERVICES=1", () => {
    expect(servicesRequired({ FRIENDHOOK_REQUIRE_SERVICES: "1" })).toBe(true);
    expect(servicesRequired({ FRIENDHOOK_REQUIRE_SERVICES: "0" })).toBe(false);
    expect(servicesRequired({})).toBe(false);
  });
});

// A reachable service runs the block: this test fails if describeWithService skipped it.
const listening = createServer((socket) => socket.end());
await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
const listeningAddress = listening.address();
const listeningPort = listeningAddress !== null && typeof listeningAddress === "object" ? listeningAddress.port : 0;
let ranInsideService = false;

describeWithService("a listening test server", listeningPort, () => {
  it("runs the tests of a reachable service", () => {
    ranInsideService = true;
    expect(ranInsideService).toBe(true);
  });
});

describe("describeWithService", () => {
  it("ran the block of the reachable service", () => {
    expect(ranInsideService).toBe(true);
    listening.close();
  });
});
