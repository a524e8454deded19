using System;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Bridge
{
    /// <summary>
    /// The bridge as it is usually written first: a BCL WebSocket for the CONNECT exchange, then the same
    /// connection used raw. Every line the analyzers flag here loses or corrupts bytes at run time.
    /// </summary>
    internal static class UnsafeBridge
    {
        public static async Task HandleAsync(TcpClient connection, CancellationToken cancellationToken)
        {
            var stream = connection.GetStream();
            // WSH003: keep-alive Pongs keep coming after the switch to raw bytes.
            var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: BridgeProtocol.KeepAliveInterval);

            // The WebSocket reads as much as fits its buffer: raw bytes that came with CONNECT are now inside it.
            var backendEndPoint = await BridgeProtocol.ReceiveConnectAsync(ws, cancellationToken);
            using var backend = new TcpClient();
            await backend.ConnectAsync(backendEndPoint, cancellationToken);
            var backendStream = backend.GetStream();
            await ws.SendAsync(Encoding.ASCII.GetBytes(BridgeProtocol.Ok), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

            // WSH001: raw reads and writes on the transport while the WebSocket still owns it.
            var upstream = stream.CopyToAsync(backendStream, cancellationToken);
            var downstream = backendStream.CopyToAsync(stream, cancellationToken);
            await upstream;
            backend.Client.Shutdown(SocketShutdown.Send);
            await downstream;

            // WSH002: a Close frame written into what is now a raw byte stream.
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bridge closed", cancellationToken);
        }
    }
}
