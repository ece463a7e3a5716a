import { describe, expect, it } from "vitest";
import { runFixtures } from "./run-fixtures";

describe("the sink conformance suite", () => {
  it("fails sinks that misreport a batch holding a refused event, where they misreport it", async () => {
    const statuses = await runFixtures("test/fixtures/sink-fixtures.vitest.config.ts");
    const status = (name: string) => statuses.get(name) ?? `missing: ${name}`;
    const truthful = "reports no more than the truth about a batch holding a refused event, and takes the rest apart from it";
    const alone = "fails a refused event alone, permanently, and stores nothing of it";

    expect(status(`reports undelivered events delivered: sink conformance ${truthful}`)).toBe("failed");
    expect(status(`reports undelivered events delivered: sink conformance ${alone}`)).toBe("passed");

    expect(status(`overtakes a failed event of its pair: sink conformance ${truthful}`)).toBe("failed");
    expect(status(`overtakes a failed event of its pair: sink conformance stores a batch whole and in order`)).toBe("passed");

    expect(status(`refuses an event it can never store as transient: sink conformance ${alone}`)).toBe("failed");
    expect(status(`refuses an event it can never store as transient: sink conformance stores a batch whole and in order`)).toBe("passed");
  }, 180_000);
});
