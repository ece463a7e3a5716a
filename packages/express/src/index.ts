export * from "./friendhook-middleware";
