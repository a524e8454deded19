using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;

namespace Bridge
{
    /// <summary>
    /// The same bridge with <see cref="HandoffWebSocket"/>: the OK reply is the bridge's last WebSocket message, so
    /// it goes out with SendAndDetachAsync, which stops the WebSocket layer at that frame and returns the connection
    /// with every raw byte the client sent after CONNECT (also those that arrived in the same read).
    /// </summary>
    internal static class HandoffBridge
    {
        public static async Task HandleAsync(TcpClient connection, CancellationToken cancellationToken)
        {
            var stream = connection.GetStream();
            // Keep-alive stays on while the connection speaks WebSocket; nothing is written once the detach starts.
            using var ws = HandoffWebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: BridgeProtocol.KeepAliveInterval);

            var backendEndPoint = await BridgeProtocol.ReceiveConnectAsync(ws, cancellationToken);
            using var backend = new TcpClient();
            await backend.ConnectAsync(backendEndPoint, cancellationToken);
            var backendStream = backend.GetStream();

            // The handoff: the last WebSocket frame out, then the connection is ours, with nothing lost and nothing added.
            Stream raw = await ws.SendAndDetachAsync(Encoding.ASCII.GetBytes(BridgeProtocol.Ok), WebSocketMessageType.Text, cancellationToken);

            var upstream = raw.CopyToAsync(backendStream, cancellationToken);
            var downstream = backendStream.CopyToAsync(raw, cancellationToken);
            await upstream;
            backend.Client.Shutdown(SocketShutdown.Send);
            await downstream;
            // No CloseAsync: the peer now reads raw bytes. Disposing the detached HandoffWebSocket leaves the connection open.
        }
    }
}
