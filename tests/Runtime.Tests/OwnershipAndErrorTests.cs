using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>G4 (ownership of the transport) and G5 (clear errors, nothing lost).</summary>
public sealed class OwnershipAndErrorTests
{
    public static TheoryData<bool, bool> RolesAndAbort => new() { { true, false }, { true, true }, { false, false }, { false, true } };

    [Theory]
    [MemberData(nameof(RolesAndAbort))]
    public async Task Dispose_or_Abort_after_detach_leaves_the_transport_open(bool isServer, bool abort)
    {
        using Loopback lb = await Loopback.CreateAsync();
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        await using Stream detached = await ws.DetachAsync().Within();
        if (abort)
        {
            ws.Abort();
        }
        else
        {
            ws.Dispose();
        }

        await lb.RemoteStream.WriteAsync("ping"u8.ToArray());
        Assert.Equal("ping"u8.ToArray(), await Bounded.ReadExactlyAsync(detached, 4));
        await detached.WriteAsync("pong"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Equal("pong"u8.ToArray(), Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dispose_or_Abort_before_detach_closes_the_transport_as_the_BCL_WebSocket_does(bool abort)
    {
        using Loopback lb = await Loopback.CreateAsync();
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        if (abort)
        {
            ws.Abort();
            Assert.Equal(WebSocketState.Aborted, ws.State);
        }
        else
        {
            ws.Dispose();
        }

        Assert.Empty(await Bounded.ReadToEndAsync(lb.RemoteStream));
        Assert.Throws<ObjectDisposedException>(() => lb.LocalStream.Write(new byte[1]));
    }

    [Fact]
    public async Task Cancelled_receive_before_detach_aborts_and_closes_the_transport_as_the_BCL_WebSocket_does()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        using var cancel = new CancellationTokenSource();
        Task<ValueWebSocketReceiveResult> receive = ws.ReceiveAsync(new byte[10].AsMemory(), cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.Within());
        Assert.Equal(WebSocketState.Aborted, ws.State);
        Assert.Empty(await Bounded.ReadToEndAsync(lb.RemoteStream));
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
    }

    [Fact]
    public async Task Disposing_the_detached_stream_disposes_the_transport()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        Stream detached = await ws.DetachAsync().Within();
        await detached.DisposeAsync();
        Assert.Empty(await Bounded.ReadToEndAsync(lb.RemoteStream));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_inside_a_received_message_throws_and_changes_nothing(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] message = Frames.RandomBytes(100);
        byte[] raw = Frames.RandomBytes(50);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, message, masked: isServer), raw));

        var buffer = new byte[10];
        ValueWebSocketReceiveResult first = await ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token());
        Assert.False(first.EndOfMessage);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
        Assert.Contains("EndOfMessage", error.Message);
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask());
        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.Open, ws.State);

        var (_, rest) = await Peers.ReceiveMessageAsync(ws);
        Assert.Equal(message, Frames.Concat(buffer, rest));
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    [Fact]
    public async Task Detach_between_fragments_of_a_message_throws_and_changes_nothing()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Text, "ab"u8, fin: false));
        ValueWebSocketReceiveResult first = await ws.ReceiveAsync(new byte[10].AsMemory(), Bounded.Token());
        Assert.Equal((2, false), (first.Count, first.EndOfMessage));

        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());

        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Continuation, "c"u8), "RAW"u8.ToArray()));
        ValueWebSocketReceiveResult second = await ws.ReceiveAsync(new byte[10].AsMemory(), Bounded.Token());
        Assert.True(second.EndOfMessage);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal("RAW"u8.ToArray(), await Bounded.ReadExactlyAsync(detached, 3));
    }

    [Fact]
    public async Task WebSocket_operations_after_detach_throw_InvalidOperationException()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        await using Stream detached = await ws.DetachAsync().Within();

        Assert.True(ws.IsDetached);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAsync(new ArraySegment<byte>(new byte[1]), WebSocketMessageType.Binary, true, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Binary, true, default).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.ReceiveAsync(new ArraySegment<byte>(new byte[1]), default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.ReceiveAsync(new byte[1].AsMemory(), default).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default));

        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
        Assert.Contains("detached", second.Message);
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask());

        // Nothing of the above reached the wire.
        ws.Dispose();
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Empty(await Bounded.ReadToEndAsync(lb.RemoteStream));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pending_receive_at_detach_fails_saying_detached_and_consumes_nothing(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        Task<WebSocketReceiveResult> pending = ws.ReceiveAsync(new ArraySegment<byte>(new byte[100]), Bounded.Token());

        await using Stream detached = await ws.DetachAsync().Within();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        Assert.Contains("detached", error.Message);

        byte[] after = Frames.Concat(Frames.Build(Frames.Text, "not for the WebSocket"u8, masked: isServer), Frames.RandomBytes(10));
        await lb.RemoteStream.WriteAsync(after);
        Assert.Equal(after, await Bounded.ReadExactlyAsync(detached, after.Length));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Pending_receive_holding_a_partial_header_gives_it_back_at_detach(int headerBytes)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] frame = Frames.Build(Frames.Binary, new byte[300], masked: true); // 2 + 2 + 4 header bytes
        Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[1000].AsMemory(), Bounded.Token()).AsTask();
        await lb.RemoteStream.WriteAsync(frame.AsMemory(0, headerBytes));
        await WaitUntilAsync(() => ws.HandedBytesOfCurrentFrame == headerBytes);

        await using Stream detached = await ws.DetachAsync().Within();
        await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        await lb.RemoteStream.WriteAsync(frame.AsMemory(headerBytes));
        Assert.Equal(frame, await Bounded.ReadExactlyAsync(detached, frame.Length));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(11)]
    public async Task Pending_receive_holding_part_of_a_ping_gives_it_back_at_detach(int heldBytes)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
        byte[] ping = Frames.Build(Frames.Ping, "0123456789"u8); // 2 header bytes, 10 payload bytes
        Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[100].AsMemory(), Bounded.Token()).AsTask();
        await lb.RemoteStream.WriteAsync(ping.AsMemory(0, heldBytes));
        await WaitUntilAsync(() => ws.HandedBytesOfCurrentFrame == heldBytes);

        await using Stream detached = await ws.DetachAsync().Within();
        await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        await lb.RemoteStream.WriteAsync(Frames.Concat(ping.AsSpan(heldBytes).ToArray(), "RAW"u8.ToArray()));
        Assert.Equal(Frames.Concat(ping, "RAW"u8.ToArray()), await Bounded.ReadExactlyAsync(detached, ping.Length + 3));

        // The WebSocket never saw the whole ping, so it answered nothing.
        ws.Dispose();
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Empty(await Bounded.ReadToEndAsync(lb.RemoteStream));
    }

    [Fact]
    public async Task Cancelled_detach_waiting_for_a_send_changes_nothing()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] big = Frames.RandomBytes(32 * 1024 * 1024);
        Task send = ws.SendAsync(big, WebSocketMessageType.Binary, true, Bounded.Token());
        using var cancel = new CancellationTokenSource();
        Task<Stream> detach = ws.DetachAsync(cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => detach.Within());
        Assert.False(ws.IsDetached);

        Task<Frames.Frame> read = Frames.ReadAsync(lb.RemoteStream);
        await send.Within();
        Assert.Equal(big, (await read.Within()).Payload);

        // Still a working WebSocket: a round trip, then a clean detach.
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "ok"u8, masked: true), "RAW"u8.ToArray()));
        await Peers.ReceiveMessageAsync(ws);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal("RAW"u8.ToArray(), await Bounded.ReadExactlyAsync(detached, 3));
    }

    [Fact]
    public async Task While_a_detach_waits_for_a_send_new_sends_are_refused_and_receives_go_on()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] big = Frames.RandomBytes(32 * 1024 * 1024);
        Task send = ws.SendAsync(big, WebSocketMessageType.Binary, true, Bounded.Token());
        Task<Stream> detach = ws.DetachAsync().AsTask();
        Assert.False(detach.IsCompleted);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Binary, true, default).AsTask());
        Assert.Contains("detach is in progress", refused.Message);
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Text, "still here"u8, masked: true));
        Assert.Equal("still here"u8.ToArray(), (await Peers.ReceiveMessageAsync(ws)).Payload);

        Task<Frames.Frame> read = Frames.ReadAsync(lb.RemoteStream);
        await send.Within();
        await using Stream detached = await detach.Within();
        Assert.Equal(big, (await read.Within()).Payload);
        await lb.RemoteStream.WriteAsync("RAW"u8.ToArray());
        Assert.Equal("RAW"u8.ToArray(), await Bounded.ReadExactlyAsync(detached, 3));
    }

    [Fact]
    public async Task Peer_reset_during_the_handoff_ends_in_an_exception_not_silent_loss()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false, TimeSpan.FromMilliseconds(1));
        byte[] raw = Frames.RandomBytes(100);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "bye"u8), raw));
        await Peers.ReceiveMessageAsync(ws);

        lb.Remote.LingerState = new LingerOption(true, 0);
        lb.Remote.Close(); // RST

        Stream detached;
        try
        {
            detached = await ws.DetachAsync().Within();
        }
        catch (InvalidOperationException)
        {
            return; // the reset reached the WebSocket first: a clear exception
        }

        await using (detached)
        {
            var buffer = new byte[1000];
            int total = 0;
            Exception? end = null;
            try
            {
                int n;
                while ((n = await detached.ReadAsync(buffer.AsMemory(total), Bounded.Token())) > 0)
                {
                    total += n;
                }
            }
            catch (IOException ex)
            {
                end = ex;
            }

            // Whatever arrived before the reset is returned in order; the loss of the rest is reported by the reset itself.
            Assert.Equal(raw.AsSpan(0, total).ToArray(), buffer.AsSpan(0, total).ToArray());
            Assert.True(total == raw.Length || end is not null || total == 0);
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using CancellationTokenSource limit = new(Bounded.Limit);
        while (!condition())
        {
            await Task.Delay(1, limit.Token);
        }
    }
}
