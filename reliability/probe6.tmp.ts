import { runCrashScenario, providerVariables } from "./src/index";
for (let i = 0; i < 2; i++) {
const r = await runCrashScenario({ variables: providerVariables(), callbackCount: 900, senders: 6, killThresholds: [150, 400, 650], seed: 5 + i, stopWith: "terminate" });
console.log({ exits: r.exits, stopDurationsMs: r.stopDurationsMs, catchUpMs: r.catchUpMs });
r.exits.forEach((e, k) => { if (e !== 0) console.log(`life ${k}:`, r.outputs[k]!.split("\n").filter(l => !l.includes('"msg":"request"')).slice(-6).join("\n")); });
}
