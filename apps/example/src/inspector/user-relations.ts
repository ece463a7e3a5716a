import { explainRelationHistory, type FriendEvent } from "@friendhook/core";
import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { QueryTextSchema, querySchema, readQuery } from "../routes/read-query";

const UserQuerySchema = querySchema({ provider: QueryTextSchema, appId: QueryTextSchema, userId: QueryTextSchema });

/**
 * The most events of one user the relation history replays (5 pages of the store's largest): the
 * history of a user with more is cut there, and says so (`complete: false`).
 */
const historyLimit = 5000;

/**
 * `GET /api/users/relations?provider=&appId=&userId=`: the user's friends and blocks, and the
 * history of every relation the user is part of (both directions): each change, whether the friend
 * table's ordering rule applied it, and why (`explainRelationHistory`). The user's events come from
 * the store's index by actor and by target, from the first, in arrival order, as the rule needs.
 */
export function userRelationRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/api/users/relations", async (request, response) => {
    const user = readQuery(UserQuerySchema, request);
    const events: FriendEvent[] = [];
    let after: string | undefined;
    let complete = false;
    while (events.length < historyLimit) {
      const page = await readApi.userEvents({ ...user, after, limit: 1000 });
      events.push(...page.events);
      after = page.next;
      if (page.events.length < 1000) {
        complete = true;
        break;
      }
    }
    const friendList = await readApi.friendsOf(user);
    response.json({ ...user, ...friendList, events: events.length, complete, relations: explainRelationHistory(events) });
  });
  return router;
}
