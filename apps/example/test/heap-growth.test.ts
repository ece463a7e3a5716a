import { describe, expect, it } from "vitest";
import { limitHeapGrowth } from "../src/heap-growth";

describe("the heap growing factor", () => {
  it("is set when the command line sets none", () => {
    expect(limitHeapGrowth(["--conditions=@friendhook/source", "--enable-source-maps"])).toBe(true);
    expect(limitHeapGrowth([])).toBe(true);
  });

  it("is left to an operator's own flag, in either spelling, with or without a value after =", () => {
    expect(limitHeapGrowth(["--heap-growing-percent=80"])).toBe(false);
    expect(limitHeapGrowth(["--enable-source-maps", "--heap_growing_percent=20"])).toBe(false);
    expect(limitHeapGrowth(["--heap-growing-percent", "80"])).toBe(false);
  });

  it("is not mistaken for another flag that starts alike", () => {
    expect(limitHeapGrowth(["--heap-growing-percentage=80"])).toBe(true);
  });
});
