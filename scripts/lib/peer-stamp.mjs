// Preloaded (node --import) into the web app's process by the launchers (scripts/lib/launcher.ts
// for `npm start`/`npm run dev`, scripts/start-dist.ts for a built server): it tells the app the
// address of the socket each request came on, which Next's route handlers cannot see.
//
// Node publishes "http.server.request.start" for every request of every node:http(s) server in
// the process, before the server's "request" listeners (Next's) run. Here any copy of the private
// header the client sent is deleted, from the parsed headers and the raw list alike, and the
// header is set to the socket's address. A client therefore cannot choose its value. The flag on
// globalThis tells src/server/client-address.ts that this stamping runs in its process; without
// it the app never believes the header. Keep both names equal to PEER_HEADER and PEER_STAMP_FLAG
// there (test/api/client-address.test.ts checks it).
import { subscribe } from "node:diagnostics_channel";

export const PEER_HEADER = "x-license-server-peer";
export const PEER_STAMP_FLAG = Symbol.for("license-server.peer-stamp");

/** Stamps the socket address into PEER_HEADER on every request this process serves. */
export function installPeerStamp() {
  if (globalThis[PEER_STAMP_FLAG] === true) return;
  subscribe("http.server.request.start", ({ request, socket }) => {
    const address = socket.remoteAddress ?? "";
    // parsed first, from the list as received (Node parses it lazily, by its original length)
    const headers = request.headers;
    delete headers[PEER_HEADER];
    if (address) headers[PEER_HEADER] = address;
    // the raw list keeps its length: a client's copies are overwritten, not removed
    const raw = request.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i].toLowerCase() === PEER_HEADER) raw[i + 1] = address;
    }
  });
  globalThis[PEER_STAMP_FLAG] = true;
}

installPeerStamp();
