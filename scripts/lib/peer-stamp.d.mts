// Types of peer-stamp.mjs (the preload is plain JavaScript: Next's process runs it without tsx).
export declare const PEER_HEADER: string;
export declare const PEER_STAMP_FLAG: unique symbol;
export declare function installPeerStamp(): void;
