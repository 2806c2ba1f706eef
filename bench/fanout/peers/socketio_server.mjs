// Peer of bench/fanout: Node socket.io 4, the usual room broadcast.
//   node peers/socketio_server.mjs PORT
// Consoles connect with ?role=sub and join room "r"; the publisher emits "pub" events, each
// re-emitted to the room as "msg" (socket.io encodes a packet once and writes it per socket).
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2]);
const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ['websocket'],
  perMessageDeflate: false,
  serveClient: false,
  maxHttpBufferSize: 1 << 20,
});
io.on('connection', (socket) => {
  if (socket.handshake.query.role === 'sub') socket.join('r');
  else socket.on('pub', (data) => io.to('r').emit('msg', data));
});
httpServer.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));
