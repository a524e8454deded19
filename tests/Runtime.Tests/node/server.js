'use strict';
// A ws server that ends its WebSocket conversation with a final message and, in the same tick, raw bytes written on
// the underlying socket; then it takes the socket over itself and reports the SHA-256 of the raw bytes it receives.
// Reports are JSON lines on stdout: {"port"}, then {"rawLength","rawSha256"}, then {"backLength","backSha256"}.
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const report = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

wss.on('listening', () => report({ port: wss.address().port }));

wss.on('connection', (ws) => {
  ws.send('hello from ws');
  ws.send(crypto.randomBytes(70000)); // a 64-bit length frame
  ws.ping('are you there');
  ws.once('pong', () => {
    const socket = ws._socket;
    const raw = crypto.randomBytes(100000);
    ws.send('final');
    // Same tick: the raw bytes follow the final frame on the wire, and from here on the socket is no longer ws's.
    socket.write(raw);
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    report({ rawLength: raw.length, rawSha256: crypto.createHash('sha256').update(raw).digest('hex') });

    const back = crypto.createHash('sha256');
    let backLength = 0;
    socket.on('data', (chunk) => { back.update(chunk); backLength += chunk.length; });
    socket.on('error', (err) => { report({ error: String(err) }); process.exit(1); });
    socket.on('end', () => {
      report({ backLength, backSha256: back.digest('hex') });
      socket.end(() => process.exit(0));
    });
  });
});
