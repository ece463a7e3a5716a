/**
 * The value every event of this adapter carries in `provider`: lower case, no spaces, and never
 * changed once events exist, because it is part of every event id.
 */
export const __nameCamel__Provider = "__name__";
