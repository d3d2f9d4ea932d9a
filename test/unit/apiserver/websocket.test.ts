// wsstream.IsWebSocketRequest: which requests kube takes for a WebSocket handshake.

import { describe, expect, it } from 'vitest';
import { isWebSocketRequest } from '../../../src/apiserver/websocket.js';

describe('isWebSocketRequest', () => {
  it('wants Upgrade: websocket (any case) and an upgrade token in Connection', () => {
    const yes: [string, string][] = [
      ['websocket', 'Upgrade'], ['WebSocket', 'upgrade'], ['websocket', 'keep-alive, Upgrade'],
      ['websocket', 'Upgrade, keep-alive'], ['websocket', 'a,upgrade'], ['websocket', 'a,  upgrade  , b'],
    ];
    for (const [upgrade, connection] of yes) expect(isWebSocketRequest({ upgrade, connection }), `${upgrade} / ${connection}`).toBe(true);
    const no: [string | undefined, string | undefined][] = [
      ['websocket', undefined], [undefined, 'Upgrade'], ['SPDY/3.1', 'Upgrade'], ['websocket', 'upgraded'],
      ['websocket', 'xupgrade'], ['websocket', 'keep-alive'], ['websocket, h2c', 'Upgrade'],
    ];
    for (const [upgrade, connection] of no) expect(isWebSocketRequest({ upgrade, connection }), `${upgrade} / ${connection}`).toBe(false);
  });
});
