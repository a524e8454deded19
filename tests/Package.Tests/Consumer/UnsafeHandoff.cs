using System;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Consumer
{
    /// <summary>
    /// A server that reads one WebSocket message ("UPGRADE") and then echoes raw bytes on the same connection,
    /// written the way the analyzers exist to catch. The markers say which rule must report on which line.
    /// </summary>
    internal static class UnsafeHandoff
    {
        public static async Task ServeAsync(Stream stream, int rawLength, CancellationToken cancellationToken)
        {
            var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromMilliseconds(50)); // expect: WSH003
            var message = new byte[64];
            var received = await ws.ReceiveAsync(message.AsMemory(), cancellationToken);
            if (Encoding.ASCII.GetString(message, 0, received.Count) != "UPGRADE")
            {
                throw new InvalidDataException("expected the UPGRADE message");
            }

            var payload = new byte[rawLength];
            await stream.ReadExactlyAsync(payload, cancellationToken); // expect: WSH001
            await stream.WriteAsync(payload.AsMemory(0, rawLength / 2), cancellationToken); // expect: WSH001
            // Work on the rest: the keep-alive timer of a BCL WebSocket fires several times meanwhile.
            await Task.Delay(300, cancellationToken);
            await stream.WriteAsync(payload.AsMemory(rawLength / 2), cancellationToken); // expect: WSH001
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken); // expect: WSH002
        }
    }
}
