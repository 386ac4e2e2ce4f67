/** How many state keys the engine applies at once in a batch, unless told otherwise. */
export const DEFAULT_KEY_CONCURRENCY = 16;
/** Beyond this many keys in flight one invocation gains nothing more: its sockets are the bound. */
export const MAX_KEY_CONCURRENCY = 256;
/** State keys per TransactWriteItems call, unless told otherwise: 1 is a PutItem per key. */
export const DEFAULT_KEYS_PER_WRITE = 1;
/** DynamoDB's bound on the actions of one TransactWriteItems call. */
export const MAX_KEYS_PER_WRITE = 100;
