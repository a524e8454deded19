using System;
using System.IO;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Bridge
{
    /// <summary>
    /// The bridge's tiny protocol: the client sends one text message "CONNECT host:port", the bridge answers "OK", and
    /// from then on the connection carries raw bytes to and from that TCP endpoint.
    /// </summary>
    internal static class BridgeProtocol
    {
        public const string Ok = "OK";

        public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMilliseconds(100);

        public static async Task<IPEndPoint> ReceiveConnectAsync(WebSocket ws, CancellationToken cancellationToken)
        {
            var buffer = new byte[128];
            var result = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            var text = Encoding.ASCII.GetString(buffer, 0, result.Count);
            if (result.MessageType != WebSocketMessageType.Text || !result.EndOfMessage || !text.StartsWith("CONNECT ", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"expected one 'CONNECT host:port' text message, got '{text}'");
            }
            return IPEndPoint.Parse(text["CONNECT ".Length..]);
        }

        /// <summary>The client's CONNECT message as a masked WebSocket text frame (clients mask, RFC 6455 §5.3).</summary>
        public static byte[] ConnectFrame(IPEndPoint backend)
        {
            var payload = Encoding.ASCII.GetBytes("CONNECT " + backend);
            var mask = new byte[] { 0x37, 0xfa, 0x21, 0x3d };
            var frame = new byte[2 + mask.Length + payload.Length];
            frame[0] = 0x81;                              // FIN + text
            frame[1] = (byte)(0x80 | payload.Length);     // MASK + length (< 126)
            mask.CopyTo(frame, 2);
            for (var i = 0; i < payload.Length; i++)
            {
                frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
            }
            return frame;
        }

        /// <summary>
        /// Where the raw bytes start in what the client received: after the bridge's OK frame and any Pong frames
        /// before it (keep-alive traffic while the connection still spoke WebSocket). -1 when there is no OK frame.
        /// </summary>
        public static int EndOfOkFrame(ReadOnlySpan<byte> received)
        {
            ReadOnlySpan<byte> ok = new byte[] { 0x81, (byte)Ok.Length, (byte)'O', (byte)'K' };   // unmasked text frame
            var offset = 0;
            while (received.Length - offset >= 2 && received[offset] == 0x8A && received[offset + 1] < 126)
            {
                offset += 2 + received[offset + 1];
            }
            return received[offset..].StartsWith(ok) ? offset + ok.Length : -1;
        }
    }
}
