import { Worker } from "node:worker_threads";
import { afterAll, expect, it } from "vitest";
import { createAppDeployment, killRunningAppProcesses, providerVariables } from "../src/index";

afterAll(killRunningAppProcesses);

/**
 * Whoever waits for the app waits for its "friendhook is listening" line, and may stop it right
 * then. The SIGTERM and SIGINT handlers must already be in place (they once were installed only
 * after that line): otherwise Node's default action ends the process at once, without the graceful
 * shutdown, cutting requests in flight and leaving claimed deliveries leased for 30 s. Busy cores
 * (an orchestrator's node under load) widen such a window; two spinning threads play them.
 */
it("a SIGTERM sent the moment the app says it listens still shuts it down gracefully (exit code 0)", async () => {
  const spinners = Array.from({ length: 2 }, () => new Worker("for (;;) {}", { eval: true }));
  const deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console" });
  try {
    const exits: Array<number | string> = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const life = await deployment.start();
      exits.push(await life.stop());
    }
    expect(exits.filter((exit) => exit !== 0)).toEqual([]);
  } finally {
    await Promise.all(spinners.map((spinner) => spinner.terminate()));
    await deployment.dispose();
  }
  // Eight starts of the app beside two spinning threads: each may take a couple of minutes when
  // other work keeps the cores busy too.
}, 900_000);
