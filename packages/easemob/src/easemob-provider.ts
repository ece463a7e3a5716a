/**
 * The value every event of this adapter carries in `provider`. Never changed once events exist: it
 * is part of every event id.
 */
export const easemobProvider = "easemob";
