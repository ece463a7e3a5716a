import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { friendEventJsonSchema } from "../src/json-schema";

const target = fileURLToPath(new URL("../friend-event.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(friendEventJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
