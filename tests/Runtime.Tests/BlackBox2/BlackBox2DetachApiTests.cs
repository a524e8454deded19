using System;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.BlackBox;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox2;

/// <summary>The detach calls themselves: racing each other, after a cancelled or refused one, and what the socket reports after (G5).</summary>
public sealed class BlackBox2DetachApiTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DetachAsync_racing_Detach_hands_off_once_and_the_loser_throws_InvalidOperationException(bool isServer)
    {
        for (int i = 0; i < 100; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
            byte[] raw = Frames.RandomBytes(100 + i);
            await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, new byte[] { 1, 2, 3 }, masked: isServer), raw));
            await Peers.ReceiveMessageAsync(ws);

            using var start = new Barrier(2);
            Task<Stream> viaAsync = Task.Run(() => { start.SignalAndWait(); return ws.DetachAsync().AsTask(); });
            Task<Stream> viaSync = Task.Run(() => { start.SignalAndWait(); return ws.Detach(); });
            await Task.WhenAny(Task.WhenAll(viaAsync, viaSync), Task.Delay(Bounded.Limit));

            Task<Stream>[] both = { viaAsync, viaSync };
            Assert.All(both, t => Assert.True(t.IsCompleted));
            Task<Stream> winner = Assert.Single(both, t => t.IsCompletedSuccessfully);
            Task<Stream> loser = Assert.Single(both, t => !t.IsCompletedSuccessfully);
            var error = Assert.IsType<InvalidOperationException>(loser.Exception!.InnerException);
            Assert.Contains("detach", error.Message, StringComparison.OrdinalIgnoreCase);

            Assert.True(ws.IsDetached);
            await using Stream detached = await winner;
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_detach_after_a_cancelled_one_and_a_refused_one_hands_off_every_byte_and_the_wire_has_only_whole_messages(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer);

        // 1. Cancelled while it waits for a send stuck on the wire.
        holding.HoldNextWrite();
        Task send = ws.SendAsync("one"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
        await holding.WriteHeld.Within();
        using (var cts = new CancellationTokenSource())
        {
            Task<Stream> cancelled = ws.DetachAsync(cts.Token).AsTask();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Within());
        }

        Assert.False(ws.IsDetached);
        holding.Release();
        await send.Within();

        // 2. Refused inside a received message: the peer's message arrives in two fragments.
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Binary, "ab"u8, fin: false, masked: isServer));
        ValueWebSocketReceiveResult part = await ws.ReceiveAsync(new byte[16].AsMemory(), Bounded.Token()).Within();
        Assert.False(part.EndOfMessage);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask());
        Assert.Contains("EndOfMessage", refused.Message);
        byte[] raw = Frames.RandomBytes(777);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Continuation, "cd"u8, masked: isServer), raw));
        ValueWebSocketReceiveResult end = await ws.ReceiveAsync(new byte[16].AsMemory(), Bounded.Token()).Within();
        Assert.True(end.EndOfMessage);

        // 3. Now it goes through: every raw byte back, and the final message is last on the wire.
        await using Stream detached = await ws.SendAndDetachAsync("two"u8.ToArray(), WebSocketMessageType.Binary).Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        await detached.WriteAsync("RAW"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);
        byte[] wire = await Bounded.ReadToEndAsync(lb.RemoteStream);
        int offset = 0;
        Frames.Frame first = Frames.Parse(wire, ref offset);
        Frames.Frame second = Frames.Parse(wire, ref offset);
        Assert.Equal((Frames.Text, "one"), (first.Opcode, Encoding.UTF8.GetString(first.Payload)));
        Assert.Equal((Frames.Binary, "two"), (second.Opcode, Encoding.UTF8.GetString(second.Payload)));
        Assert.Equal(!isServer, first.Masked && second.Masked);
        Assert.Equal("RAW"u8.ToArray(), wire.AsSpan(offset).ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task After_a_detach_that_followed_the_peers_close_the_socket_reports_Closed_the_close_status_and_its_sub_protocol(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions
        {
            IsServer = isServer,
            SubProtocol = "tunnel.v2",
            KeepAliveInterval = TimeSpan.FromMilliseconds(1),
        });
        Assert.Equal("tunnel.v2", ws.SubProtocol);

        byte[] close = new byte[] { 0x03, 0xE8 }; // 1000
        byte[] raw = Frames.RandomBytes(90);
        await lb.RemoteStream.WriteAsync(Frames.Concat(
            Frames.Build(Frames.Close, Frames.Concat(close, "bye"u8.ToArray()), masked: isServer),
            raw));
        ValueWebSocketReceiveResult result = await ws.ReceiveAsync(new byte[16].AsMemory(), Bounded.Token()).Within();
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketState.CloseReceived, ws.State);

        await using Stream detached = await ws.DetachAsync().Within();
        Assert.True(ws.IsDetached);
        Assert.Equal(WebSocketState.Closed, ws.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal("bye", ws.CloseStatusDescription);
        Assert.Equal("tunnel.v2", ws.SubProtocol);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));

        // No close answer (nor any keep-alive) was written: the peer reads only what the detached stream writes.
        await detached.WriteAsync("R"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);
        byte[] wire = await Bounded.ReadToEndAsync(lb.RemoteStream);
        Assert.Equal("R"u8.ToArray(), Peers.SkipLeadingKeepAlive(wire));
    }

    [Theory]
    [InlineData(true, WebSocketMessageType.Text)]
    [InlineData(true, WebSocketMessageType.Binary)]
    [InlineData(false, WebSocketMessageType.Text)]
    [InlineData(false, WebSocketMessageType.Binary)]
    public async Task SendAndDetachAsync_message_type_and_payload_reach_a_BCL_peer_exactly_and_the_raw_bytes_follow(bool isServer, WebSocketMessageType type)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        using WebSocket peer = Peers.Bcl(lb.RemoteStream, !isServer);
        byte[] payload = type == WebSocketMessageType.Text ? Encoding.UTF8.GetBytes("fin \u00e9\u20ac") : Frames.RandomBytes(70_000);
        Task<(WebSocketMessageType, byte[])> received = Peers.ReceiveMessageAsync(peer);
        await using Stream detached = await ws.SendAndDetachAsync(payload, type).Within();
        var (gotType, gotPayload) = await received.Within();
        Assert.Equal(type, gotType);
        Assert.Equal(payload, gotPayload);

        // The peer's BCL WebSocket could strand raw bytes in its read-ahead: read the raw bytes off the detached side
        // the other way round (peer writes raw on the socket, the detached stream reads them).
        byte[] raw = Frames.RandomBytes(5000);
        await lb.RemoteStream.WriteAsync(raw);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    [Fact]
    public async Task SendAndDetachAsync_with_a_Close_message_type_throws_ArgumentException_and_leaves_the_socket_working()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        using WebSocket peer = Peers.Bcl(lb.RemoteStream, isServer: false);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Close).AsTask());
        Assert.Contains("CloseAsync", error.Message);
        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.Open, ws.State);

        await ws.SendAsync("still"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token()).Within();
        Assert.Equal("still", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(peer)).Payload));
        await using Stream raw = await ws.SendAndDetachAsync("done"u8.ToArray(), WebSocketMessageType.Text).Within();
        Assert.Equal("done", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(peer)).Payload));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_second_detach_of_any_form_after_a_completed_one_throws_InvalidOperationException_and_the_stream_keeps_working(int form)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        await using Stream detached = await ws.DetachAsync().Within();
        Func<Task> again = form switch
        {
            0 => () => ws.DetachAsync().AsTask(),
            1 => () => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask(),
            _ => () => Task.FromResult(ws.Detach()),
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(again);
        Assert.Contains("detached", error.Message);

        byte[] raw = Frames.RandomBytes(1000);
        await lb.RemoteStream.WriteAsync(raw);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        await detached.WriteAsync(raw);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(lb.RemoteStream, raw.Length));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAndDetachAsync_after_the_peers_close_was_received_sends_the_final_message_and_no_close_answer(bool isServer)
    {
        // CloseReceived still allows sends (as on the BCL WebSocket): the final message goes out, the close is not answered.
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        byte[] raw = Frames.RandomBytes(64);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Close, new byte[] { 0x03, 0xE9 }, masked: isServer), raw));
        Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync(new byte[8].AsMemory(), Bounded.Token()).Within()).MessageType);
        Assert.Equal(WebSocketState.CloseReceived, ws.State);

        await using Stream detached = await ws.SendAndDetachAsync("after close"u8.ToArray(), WebSocketMessageType.Text).Within();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        await detached.WriteAsync(new byte[] { 0x00, 0x01 });
        lb.Local.Shutdown(SocketShutdown.Send);
        byte[] wire = await Bounded.ReadToEndAsync(lb.RemoteStream);
        var (frames, rest) = BlackBox.Wire.Split(wire, 0x8A, 0x81);
        Assert.Equal(new byte[] { 0x00, 0x01 }, rest);
        Frames.Frame final = frames[^1];
        Assert.Equal((Frames.Text, "after close"), (final.Opcode, Encoding.UTF8.GetString(final.Payload)));
        Assert.All(frames.SkipLast(1), f => Assert.Equal(Frames.Pong, f.Opcode));
    }
}
