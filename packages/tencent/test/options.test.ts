import { describe, expect, it } from "vitest";
import { createTencentAdapter, type TencentAdapterOptions } from "../src/index";
import { refusalThrownBy } from "@friendhook/testkit";

const constructionError = (options: unknown) => refusalThrownBy(() => createTencentAdapter(options as TencentAdapterOptions));

describe("options", () => {
  it("accepts the minimal and the complete form", () => {
    expect(createTencentAdapter({ sdkAppIds: ["1400000000"] }).provider).toBe("tencent");
    const adapter = createTencentAdapter({
      sdkAppIds: ["1400000000", "1600000000"],
      token: "console-token",
      maximumClockSkewSeconds: 120,
      decide: () => ({ allow: true }),
      decisionDeadlineMs: 1999,
      now: () => new Date(),
    });
    expect(adapter.specificationVersion).toBe("v1");
  });

  it("refuses mistyped or unknown options at construction with a clear message", () => {
    const cases: Array<[unknown, string]> = [
      [{}, "sdkAppIds"],
      [{ sdkAppIds: [] }, "at least one SdkAppid"],
      [{ sdkAppIds: [1400000000] }, "sdkAppIds.0"],
      [{ sdkAppIds: ["app-1"] }, "string of digits"],
      [{ sdkAppIds: ["1400000000"], sdkAppId: "1400000000" }, "sdkAppId"],
      [{ sdkAppIds: ["1400000000"], token: "" }, "token"],
      [{ sdkAppIds: ["1400000000"], token: "abc " }, "whitespace"],
      [{ sdkAppIds: ["1400000000"], decisionDeadlineMs: 2000 }, "below 2000 ms"],
      [{ sdkAppIds: ["1400000000"], decisionDeadlineMs: 0 }, "decisionDeadlineMs"],
      [{ sdkAppIds: ["1400000000"], maximumClockSkewSeconds: -1 }, "maximumClockSkewSeconds"],
      [{ sdkAppIds: ["1400000000"], decide: "allow" }, "decide must be a function"],
      [{ sdkAppIds: ["1400000000"], now: new Date() }, "now must be a function"],
      [{ sdkAppIds: ["1400000000"], includeRaw: "yes" }, "includeRaw"],
    ];
    for (const [options, expected] of cases) {
      const error = constructionError(options);
      expect(error.code).toBe("misconfigured");
      expect(error.message).toContain(expected);
    }
  });

  it("never repeats the token in an error", () => {
    const error = constructionError({ sdkAppIds: ["1400000000"], token: " s3cret-token-value" });
    expect(error.message).not.toContain("s3cret-token-value");
  });
});
