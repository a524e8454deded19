using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading.Tasks;

namespace WebSocketHandoff.Tests.Infrastructure;

internal static class Peers
{
    public static HandoffWebSocket Handoff(Stream stream, bool isServer, TimeSpan? keepAlive = null)
        => HandoffWebSocket.CreateFromStream(stream, isServer, subProtocol: null, keepAlive ?? TimeSpan.Zero);

    public static WebSocket Bcl(Stream stream, bool isServer, TimeSpan? keepAlive = null)
        => WebSocket.CreateFromStream(stream, isServer, subProtocol: null, keepAlive ?? TimeSpan.Zero);

    /// <summary>Receives one whole message.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(WebSocket ws, int chunk = 4096)
    {
        using var message = new MemoryStream();
        var buffer = new byte[chunk];
        while (true)
        {
            ValueWebSocketReceiveResult result = await ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token());
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    /// <summary>Strips the keep-alive frames a peer may legitimately send before its handoff point (unsolicited pongs, pings).</summary>
    public static byte[] SkipLeadingKeepAlive(byte[] bytes)
    {
        int i = 0;
        while (i + 2 <= bytes.Length && (bytes[i] == 0x8A || bytes[i] == 0x89) && (bytes[i + 1] & 0x7F) == 0)
        {
            i += 2 + ((bytes[i + 1] & 0x80) != 0 ? 4 : 0);
        }

        return bytes.AsSpan(Math.Min(i, bytes.Length)).ToArray();
    }
}
