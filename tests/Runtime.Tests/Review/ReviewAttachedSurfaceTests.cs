using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>While attached, the HandoffWebSocket behaves as the BCL WebSocket.</summary>
public sealed class ReviewAttachedSurfaceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CloseAsync_initiated_by_the_HandoffWebSocket_completes_the_handshake_and_closes_the_transport(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions { IsServer = isServer, SubProtocol = "p1" });
        using WebSocket peer = WebSocket.CreateFromStream(lb.RemoteStream, new WebSocketCreationOptions { IsServer = !isServer, SubProtocol = "p1" });
        Assert.Equal("p1", ws.SubProtocol);
        Assert.Null(ws.CloseStatus);

        Task<WebSocketReceiveResult> peerReceive = peer.ReceiveAsync(new ArraySegment<byte>(new byte[100]), Bounded.Token());
        Task close = ws.CloseAsync(WebSocketCloseStatus.PolicyViolation, "policy", Bounded.Token());
        WebSocketReceiveResult got = await peerReceive.Within();
        Assert.Equal(WebSocketMessageType.Close, got.MessageType);
        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "policy"), (got.CloseStatus, got.CloseStatusDescription));
        Assert.Equal(WebSocketState.CloseSent, ws.State);
        await peer.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", Bounded.Token());
        await close.Within();
        Assert.Equal(WebSocketState.Closed, ws.State);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "ok"), (ws.CloseStatus, ws.CloseStatusDescription));
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
    }

    [Fact]
    public async Task Zero_byte_receive_waits_for_data_as_on_the_BCL_and_a_detach_after_the_message_loses_nothing()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        Task<ValueWebSocketReceiveResult> wait = ws.ReceiveAsync(Memory<byte>.Empty, Bounded.Token()).AsTask();
        await Task.Delay(30);
        Assert.False(wait.IsCompleted);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "hey"u8, masked: true), "RAW"u8.ToArray()));
        ValueWebSocketReceiveResult first = await wait.Within();
        Assert.Equal((WebSocketMessageType.Text, 0, false), (first.MessageType, first.Count, first.EndOfMessage));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
        var buffer = new byte[10];
        ValueWebSocketReceiveResult second = await ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token()).AsTask().Within();
        Assert.Equal((3, true), (second.Count, second.EndOfMessage));
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal("RAW"u8.ToArray(), await Bounded.ReadExactlyAsync(detached, 3));
    }

    [Fact]
    public async Task Send_and_receive_overloads_and_flags_interoperate_with_a_BCL_peer()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
        using WebSocket peer = Peers.Bcl(lb.RemoteStream, isServer: true);
        await ws.SendAsync(new ArraySegment<byte>("ab"u8.ToArray()), WebSocketMessageType.Text, false, Bounded.Token());
        await ws.SendAsync("cd"u8.ToArray().AsMemory(), WebSocketMessageType.Text, false, Bounded.Token());
        await ws.SendAsync("ef"u8.ToArray().AsMemory(), WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, Bounded.Token());
        var (type, payload) = await ReviewHelpers.ReceiveMessageSegmentsAsync(peer, 3);
        Assert.Equal((WebSocketMessageType.Text, "abcdef"), (type, Encoding.UTF8.GetString(payload)));

        await peer.SendAsync("xyz"u8.ToArray(), WebSocketMessageType.Binary, true, Bounded.Token());
        WebSocketReceiveResult r = await ws.ReceiveAsync(new ArraySegment<byte>(new byte[2]), Bounded.Token()).Within();
        Assert.Equal((WebSocketMessageType.Binary, 2, false), (r.MessageType, r.Count, r.EndOfMessage));
        r = await ws.ReceiveAsync(new ArraySegment<byte>(new byte[2]), Bounded.Token()).Within();
        Assert.Equal((1, true), (r.Count, r.EndOfMessage));

        // Close output from the handoff side, then the peer's close: both end Closed, as two BCL WebSockets do.
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Bounded.Token());
        Assert.Equal(WebSocketState.CloseSent, ws.State);
        WebSocketReceiveResult peerClose = await peer.ReceiveAsync(new ArraySegment<byte>(new byte[10]), Bounded.Token()).Within();
        Assert.Equal(WebSocketMessageType.Close, peerClose.MessageType);
        await peer.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Bounded.Token());
        WebSocketReceiveResult close = await ws.ReceiveAsync(new ArraySegment<byte>(new byte[10]), Bounded.Token()).Within();
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketState.Closed, ws.State);
    }
}
