import { describe, expect, it } from "vitest";
import { type EasemobAdapterOptions, createEasemobAdapter } from "../src/index";
import { refusalThrownBy } from "@friendhook/testkit";

const constructionError = (options: unknown) => refusalThrownBy(() => createEasemobAdapter(options as EasemobAdapterOptions));

describe("options", () => {
  it("accepts a secret, or several, with the optional checks", () => {
    expect(createEasemobAdapter({ secret: "s3cr3t" }).provider).toBe("easemob");
    expect(createEasemobAdapter({ secrets: ["one", "two", "three", "four", "five"] }).specificationVersion).toBe("v1");
    expect(
      createEasemobAdapter({ secret: "s3cr3t", appKeys: ["1112220101#demo"], maximumAgeSeconds: 600, maximumEventsPerCallback: 4 }).provider,
    ).toBe("easemob");
  });

  it("refuses bad options at construction with misconfigured and a message naming the option", () => {
    for (const [options, message] of [
      [{}, /options: give the callback rule's `secret`, or `secrets` for several/],
      [{ secret: "a", secrets: ["b"] }, /give either `secret` or `secrets`, not both/],
      [{ secret: "" }, /secret: the secret is empty/],
      [{ secrets: [] }, /secrets: name at least one secret/],
      [{ secrets: ["ok", ""] }, /secrets\.1: the secret is empty/],
      [{ secret: 42 }, /secret: .*expected string/],
      [{ secret: "s", appKeys: ["demo"] }, /appKeys\.0: an app key has the form "org#app"/],
      [{ secret: "s", appKeys: [] }, /appKeys: name at least one app key/],
      [{ secret: "s", maximumAgeSeconds: 0 }, /maximumAgeSeconds/],
      [{ secret: "s", maximumAgeSeconds: Number.POSITIVE_INFINITY }, /maximumAgeSeconds/],
      [{ secret: "s", maximumEventsPerCallback: 0 }, /maximumEventsPerCallback/],
      [{ secret: "s", maximumEventsPerCallback: 1.5 }, /maximumEventsPerCallback/],
      [{ secret: "s", maximumEventsPerCallback: "10" }, /maximumEventsPerCallback/],
      [{ secret: "s", maximumAgeSeconds: -300 }, /maximumAgeSeconds/],
      [{ secret: "s", includeRaw: "yes" }, /includeRaw/],
      [{ secret: "s", secert: "typo" }, /secert/],
    ] as const) {
      const error = constructionError(options);
      expect(error.code).toBe("misconfigured");
      expect(error.message).toMatch(/^Invalid Easemob adapter options: /);
      expect(error.message).toMatch(message);
    }
  });

  it("refuses a secret with whitespace, without showing the secret", () => {
    for (const secret of [" leading-space", "trailing-newline\n", "in side", "tab\tbed"]) {
      const error = constructionError({ secrets: ["fine", secret] });
      expect(error.message).toMatch(/secrets\.1: the secret contains whitespace/);
      expect(error.message).not.toContain(secret.trim());
    }
  });
});
