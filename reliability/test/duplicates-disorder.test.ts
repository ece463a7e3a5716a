import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppDeployment,
  type CallbackAttempt,
  type StoryNamespace,
  callbackForStep,
  storyStartFor,
  createAppDeployment,
  createSeededRandom,
  expectedFriendLists,
  killRunningAppProcesses,
  providerVariables,
  readAllEvents,
  readFriends,
  recordFigures,
  reliabilityCredentials as credentials,
  seedFromEnvironment,
  sendEach,
  storyArbitrary,
  storyUserCount,
  userId,
} from "../src/index";

let deployment: AppDeployment;
beforeAll(async () => {
  deployment = createAppDeployment({ ...providerVariables(), FRIENDHOOK_SINKS: "console" });
  await deployment.start();
});
afterAll(async () => {
  await deployment?.dispose();
  killRunningAppProcesses();
});

const maximumSteps = 12;
const figures = { stories: 0, steps: 0, orderedSent: 0, shuffledSent: 0, duplicatesSent: 0, relationsChecked: 0, serverErrors: 0 };

async function friendTable(url: string, namespace: StoryNamespace) {
  const table: Record<string, { friends: string[]; blocked: string[] }> = {};
  for (const provider of ["easemob", "tencent"] as const) {
    const appId = provider === "easemob" ? namespace.easemobAppKey : namespace.tencentSdkAppId;
    for (let user = 0; user < storyUserCount; user += 1) {
      table[`${provider}/${userId(namespace, user)}`] = await readFriends(url, provider, appId, userId(namespace, user));
    }
  }
  return table;
}

describe("duplicates and disorder", () => {
  it("ends with the same friend table whether each callback arrives once in order, or one to three times shuffled (property)", async () => {
    const { url } = deployment.current();
    const seed = seedFromEnvironment();
    console.info(`[duplicates-disorder] fast-check seed ${seed}; FRIENDHOOK_SEED=${seed} replays it`);
    let execution = 0;

    await fc.assert(
      fc.asyncProperty(
        storyArbitrary(maximumSteps),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: maximumSteps, maxLength: maximumSteps }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (steps, copies, shuffleSeed) => {
          execution += 1;
          // The same users in two apps: one hears the story once and in order, the other shuffled with copies.
          const userPrefix = `s${seed}e${execution}`;
          const storyStart = storyStartFor(steps.length);
          const ordered: StoryNamespace = { userPrefix, storyStart, easemobAppKey: credentials.easemobAppKeys[0], tencentSdkAppId: credentials.tencentSdkAppIds[0] };
          const shuffled: StoryNamespace = { userPrefix, storyStart, easemobAppKey: credentials.easemobAppKeys[1], tencentSdkAppId: credentials.tencentSdkAppIds[1] };

          const inOrder: CallbackAttempt[] = steps.map((step, index) => ({ route: step.provider, build: callbackForStep(step, index, ordered) }));
          const withCopies: CallbackAttempt[] = steps.flatMap((step, index) =>
            Array.from({ length: copies[index] ?? 1 }, (_, copy) => ({
              route: step.provider,
              // Copies of an accepted Easemob request alternate between its two views.
              build: callbackForStep(step, index, shuffled, copy % 2 === 0 ? step.view : step.view === "accept" ? "remote_accept" : "accept"),
            })),
          );
          const disordered = createSeededRandom(shuffleSeed).shuffled(withCopies);

          const statuses = [...(await sendEach(url, inOrder, 1)), ...(await sendEach(url, disordered, 4))];
          figures.serverErrors += statuses.filter((status) => typeof status === "number" && status >= 500).length;
          expect(statuses).toEqual([...inOrder, ...disordered].map(() => 200));
          figures.stories += 1;
          figures.steps += steps.length;
          figures.orderedSent += inOrder.length;
          figures.shuffledSent += disordered.length;
          figures.duplicatesSent += disordered.length - steps.length;

          const orderedTable = await friendTable(url, ordered);
          expect(orderedTable).toEqual(expectedFriendLists(steps, ordered));
          figures.relationsChecked += Object.values(orderedTable).reduce((sum, list) => sum + list.friends.length + list.blocked.length, 0);
          expect(await friendTable(url, shuffled)).toEqual(orderedTable);
        },
      ),
      { numRuns: 100, seed },
    );

    // Every copy of a callback stored its events once: both apps hold the same number of events.
    const events = await readAllEvents(url);
    const countIn = (easemobAppKey: string, tencentSdkAppId: string) =>
      events.filter((event) => event.appId === easemobAppKey || event.appId === tencentSdkAppId).length;
    const orderedEvents = countIn(credentials.easemobAppKeys[0], credentials.tencentSdkAppIds[0]);
    const shuffledEvents = countIn(credentials.easemobAppKeys[1], credentials.tencentSdkAppIds[1]);
    recordFigures("duplicates-disorder", "Duplicates and disorder: the friend table converges", {
      callbacksSent: figures.orderedSent + figures.shuffledSent,
      acknowledged: figures.orderedSent + figures.shuffledSent,
      duplicateDeliveries: figures.duplicatesSent,
      serverErrorsSeen: figures.serverErrors,
      eventsStored: events.length,
      notes: { stories: figures.stories, steps: figures.steps, relationsChecked: figures.relationsChecked, eventsStoredInOrder: orderedEvents, eventsStoredShuffled: shuffledEvents, seed },
    });
    expect(shuffledEvents).toBe(orderedEvents);
    // The stories built real tables: the comparison was not between two empty ones.
    expect(figures.relationsChecked).toBeGreaterThan(figures.stories);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });
});
