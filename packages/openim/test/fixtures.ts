/**
 * Callback bodies byte for byte as `open-im-server` writes them: Go's `json.Encoder` over the
 * structs of `pkg/callbackstruct/friend.go` (every field, in struct order, `<>&` escaped, a final
 * newline). The commands are those of `pkg/callbackstruct/constant.go`.
 */
export const openImBodies = {
  beforeAddFriend:
    '{"callbackCommand":"callbackBeforeAddFriendCommand","fromUserID":"2137563398","toUserID":"6960562805","reqMsg":"Hi, it\'s Ana from the climbing gym \\u003c3","ex":"{\\"source\\":\\"search\\"}"}\n',
  afterAddFriend:
    '{"callbackCommand":"callbackAfterAddFriendCommand","fromUserID":"2137563398","toUserID":"6960562805","reqMsg":"Hi, it\'s Ana from the climbing gym \\u003c3"}\n',
  beforeAddFriendAgree:
    '{"callbackCommand":"callbackBeforeAddFriendAgreeCommand","fromUserID":"2137563398","blackUserID":"6960562805","HandleResult":1,"HandleMsg":"Sure!"}\n',
  afterAddFriendAgree:
    '{"callbackCommand":"callbackAfterAddFriendAgreeCommand","fromUserID":"2137563398","blackUserID":"6960562805","HandleResult":1,"HandleMsg":"Sure!"}\n',
  afterDeleteFriend:
    '{"callbackCommand":"callbackAfterDeleteFriendCommand","ownerUserID":"6960562805","friendUserID":"2137563398"}\n',
  beforeAddBlack:
    '{"callbackCommand":"callbackBeforeAddBlackCommand","ownerUserID":"6960562805","blackUserID":"2137563398"}\n',
  afterRemoveBlack:
    '{"callbackCommand":"callbackAfterRemoveBlackCommand","ownerUserID":"6960562805","blackUserID":"2137563398"}\n',
  beforeImportFriends:
    '{"callbackCommand":"callbackBeforeImportFriendsCommand","ownerUserID":"imAdmin","friendUserIDs":["2137563398","6960562805"]}\n',
  afterImportFriends:
    '{"callbackCommand":"callbackAfterImportFriendsCommand","ownerUserID":"4123091876","friendUserIDs":["2137563398","6960562805"]}\n',
  beforeSetFriendRemark:
    '{"callbackCommand":"callbackBeforeSetFriendRemarkCommand","ownerUserID":"6960562805","friendUserID":"2137563398","remark":"Ana (gym)"}\n',
  afterSetFriendRemark:
    '{"callbackCommand":"callbackAfterSetFriendRemarkCommand","ownerUserID":"6960562805","friendUserID":"2137563398","remark":"Ana (gym)"}\n',
} as const;

export type OpenImBodyName = keyof typeof openImBodies;

/** The user ids of the fixtures. */
export const ana = "2137563398";
export const ben = "6960562805";

/** An `operationID` as OpenIM's SDKs make them: one per API call. */
export const operationId = "1721030447953426113";
