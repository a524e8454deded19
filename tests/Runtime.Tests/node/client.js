'use strict';
// A ws client that asks for the switch: a few messages (one fragmented, with a ping between its fragments), then its
// last WebSocket message SWITCH? and, in the same tick, raw bytes on its socket. It keeps reading WebSocket frames until
// the server's answer SWITCHING, then takes the socket over and reports the SHA-256 of the raw bytes it receives, which
// would include any WebSocket frame the server wrote after its answer.
// Usage: node client.js PORT. Reports are JSON lines on stdout: {"rawLength","rawSha256"}, then {"backLength","backSha256"}.
const crypto = require('crypto');
const WebSocket = require('ws');

const report = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const fail = (err) => { report({ error: String(err) }); process.exit(1); };
const ws = new WebSocket(`ws://127.0.0.1:${process.argv[2]}/`, { perMessageDeflate: false });

ws.on('error', fail);
ws.on('open', () => {
  ws.send('hello from a ws client');
  ws.send(Buffer.from('first half, '), { fin: false });
  ws.ping('between fragments');
  ws.send(Buffer.from('second half'), { fin: true });
  ws.send(crypto.randomBytes(70000)); // a 64-bit length frame, masked
  const socket = ws._socket;
  const raw = crypto.randomBytes(100000);
  ws.send('SWITCH?');
  // Same tick: the raw bytes follow SWITCH? on the wire. This client's WebSocket layer writes nothing after it (the
  // server's keep-alive frames are unsolicited pongs, which need no answer).
  socket.write(raw);
  report({ rawLength: raw.length, rawSha256: crypto.createHash('sha256').update(raw).digest('hex') });

  ws.on('message', (data) => {
    if (data.toString() !== 'SWITCHING') {
      return;
    }

    // The server's last WebSocket frame: from here on the socket is this side's, and every byte is raw. (The server
    // sends no raw byte before it has read all of ours, so none can be in ws's buffer yet.)
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    const back = crypto.createHash('sha256');
    let backLength = 0;
    socket.on('data', (chunk) => { back.update(chunk); backLength += chunk.length; });
    socket.on('error', fail);
    socket.on('end', () => {
      report({ backLength, backSha256: back.digest('hex') });
      socket.end(() => process.exit(0));
    });
  });
});
