using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>
/// Ping keep-alive (KeepAliveTimeout) on the receiving side of a handoff: pings go out while the application works between
/// the final message and DetachAsync, and the peer's raw bytes are already there. (.NET 10's WebSocket does not read ahead
/// when the application is not receiving; a runtime that did would parse those raw bytes as a frame.)
/// </summary>
public sealed class BlackBoxKeepAliveTimeoutTests
{
    private static HandoffWebSocket PingKeepAlive(Stream stream, bool isServer, TimeSpan timeout)
        => HandoffWebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = isServer,
            KeepAliveInterval = TimeSpan.FromMilliseconds(20),
            KeepAliveTimeout = timeout,
        });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_after_the_final_message_while_ping_keep_alive_reads_ahead_returns_every_raw_byte(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = PingKeepAlive(lb.LocalStream, isServer, TimeSpan.FromSeconds(30));

        // The peer sends its final message, then raw bytes (here after a moment, as a peer that switched does).
        byte[] raw = Encoding.ASCII.GetBytes("RAW protocol bytes that are not a WebSocket frame");
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Text, "SWITCH"u8, masked: isServer));
        (WebSocketMessageType type, byte[] payload) = await Peers.ReceiveMessageAsync(ws);
        Assert.Equal("SWITCH", Encoding.UTF8.GetString(payload));
        await lb.RemoteStream.WriteAsync(raw);

        // The application does some work before it detaches: keep-alive pings go out meanwhile (allowed before the detach).
        await Task.Delay(200);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));

        // Nothing but keep-alive pings reached the peer: no close frame (a read-ahead that parsed the raw bytes as a
        // frame would have failed with a protocol error and written one).
        lb.Local.Shutdown(SocketShutdown.Send);
        byte[] wire = await Bounded.ReadToEndAsync(lb.RemoteStream);
        int offset = 0;
        while (offset < wire.Length)
        {
            Frames.Frame frame = Frames.Parse(wire, ref offset);
            Assert.Equal(Frames.Ping, frame.Opcode);
        }
    }
}
