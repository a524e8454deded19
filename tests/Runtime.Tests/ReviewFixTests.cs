using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>Regression tests for the findings of the adversarial review (F1–F4).</summary>
public sealed class ReviewFixTests
{
    // ---- F1: a detach waiting for a WebSocket-layer write stuck on a full connection ----

    /// <summary>The peer floods pings and never reads: our pong writes fill the send buffer and one stays in flight.</summary>
    private static async Task<(Loopback Lb, HandoffWebSocket Ws)> StuckPongAsync()
    {
        Loopback lb = await Loopback.CreateAsync();
        lb.Local.SendBufferSize = 4096;
        lb.Remote.ReceiveBufferSize = 4096;
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] ping = Frames.Build(Frames.Ping, new byte[125], masked: true);
        var flood = new MemoryStream();
        for (int i = 0; i < 40000; i++)
        {
            flood.Write(ping);
        }

        _ = lb.RemoteStream.WriteAsync(flood.ToArray()).AsTask().ContinueWith(t => t.Exception, TaskScheduler.Default);
        _ = ws.ReceiveAsync(new byte[10].AsMemory(), default).AsTask().ContinueWith(t => t.Exception, TaskScheduler.Default);
        // Wait until a pong write is stuck on the full connection: in flight at every check for a while.
        int inFlightChecks = 0;
        for (int i = 0; i < 2000 && inFlightChecks < 20; i++)
        {
            await Task.Delay(10);
            inFlightChecks = ws.WriteInFlight ? inFlightChecks + 1 : 0;
        }

        Assert.True(inFlightChecks >= 20, "no pong write got stuck");
        return (lb, ws);
    }

    private static bool IsClosed(Socket socket)
    {
        try
        {
            _ = socket.Available;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Detach_waiting_for_a_stuck_pong_write_honours_its_token_and_changes_nothing(bool sendFinal)
    {
        (Loopback lb, HandoffWebSocket ws) = await StuckPongAsync();
        using (lb)
        using (ws)
        {
            using var cts = new CancellationTokenSource(200);
            Func<Task> detach = sendFinal
                ? () => ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Text, cts.Token).AsTask()
                : () => ws.DetachAsync(cts.Token).AsTask();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => detach().Within());
            Assert.True(ws.WriteInFlight); // the stuck pong is still in flight: nothing was cut or closed
            Assert.False(ws.IsDetached);
            Assert.Equal(WebSocketState.Open, ws.State);
            Assert.False(IsClosed(lb.Local));

            // Still attached: Abort closes the transport, as the BCL WebSocket does.
            ws.Abort();
            Assert.True(IsClosed(lb.Local));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Abort_or_Dispose_during_a_detach_stuck_on_a_pong_write_ends_it_and_closes_the_connection(bool abort)
    {
        (Loopback lb, HandoffWebSocket ws) = await StuckPongAsync();
        using (lb)
        {
            Task<Stream> detach = ws.DetachAsync().AsTask();
            await Task.Delay(300);
            Assert.False(detach.IsCompleted);

            if (abort)
            {
                ws.Abort();
            }
            else
            {
                ws.Dispose();
            }

            var error = await Assert.ThrowsAsync<WebSocketException>(() => detach.Within());
            Assert.Contains("aborted or disposed during the detach", error.Message);
            Assert.False(ws.IsDetached);
            Assert.True(IsClosed(lb.Local));
            var later = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, default).AsTask());
            Assert.Contains("detach of this WebSocket failed", later.Message);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Failed_pong_write_during_a_detach_makes_it_throw_and_close_the_connection(bool closeTransportUnderneath)
    {
        (Loopback lb, HandoffWebSocket ws) = await StuckPongAsync();
        using (lb)
        using (ws)
        {
            Task<Stream> detach = ws.DetachAsync().AsTask();
            await Task.Delay(300);
            Assert.False(detach.IsCompleted);

            if (closeTransportUnderneath)
            {
                lb.Dispose(); // the review's repro: the connection dies under the detach
            }
            else
            {
                lb.Remote.LingerState = new LingerOption(true, 0);
                lb.Remote.Close(); // RST: the stuck pong write fails
            }

            await Assert.ThrowsAsync<WebSocketException>(() => detach.Within());
            Assert.False(ws.IsDetached);
            Assert.NotEqual(WebSocketState.Open, ws.State);
            Assert.True(IsClosed(lb.Local));
        }
    }

    /// <summary>Forwards to a stream; when armed, the next write waits until released.</summary>
    private sealed class GatedWriteStream : DelegatingStream
    {
        private volatile TaskCompletionSource<bool>? _armed;
        private readonly TaskCompletionSource<bool> _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GatedWriteStream(Stream inner)
            : base(inner)
        {
        }

        public Task WriteBlocked => _blocked.Task;

        public void BlockNextWrite() => _armed = _release;

        public void Release() => _release.TrySetResult(true);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            TaskCompletionSource<bool>? armed = Interlocked.Exchange(ref _armed, null);
            if (armed is not null)
            {
                _blocked.TrySetResult(true);
                await armed.Task.ConfigureAwait(false);
            }

            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    [Fact]
    public async Task Cancelled_detach_waiting_for_a_keep_alive_write_leaves_the_WebSocket_fully_working()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var gated = new GatedWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(gated, isServer: true, TimeSpan.FromMilliseconds(20));
        using WebSocket peer = Peers.Bcl(lb.RemoteStream, isServer: false);

        // A receive pending across the cancelled detach must survive it.
        Task<(WebSocketMessageType Type, byte[] Payload)> pending = Peers.ReceiveMessageAsync(ws);

        gated.BlockNextWrite();
        await gated.WriteBlocked.Within(); // a keep-alive pong is in flight, stuck
        using (var cts = new CancellationTokenSource(200))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.DetachAsync(cts.Token).Within());
        }

        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.Open, ws.State);
        gated.Release();

        await peer.SendAsync("to-handoff"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token()).Within();
        var received = await pending.Within();
        Assert.Equal("to-handoff"u8.ToArray(), received.Payload);

        await ws.SendAsync("to-peer"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token()).Within();
        Assert.Equal("to-peer"u8.ToArray(), (await Peers.ReceiveMessageAsync(peer).Within()).Payload);

        // Now a detach goes through, and the raw bytes flow both ways.
        await using Stream raw = await ws.SendAndDetachAsync("bye"u8.ToArray(), WebSocketMessageType.Text, Bounded.Token()).Within();
        Assert.Equal("bye"u8.ToArray(), (await Peers.ReceiveMessageAsync(peer).Within()).Payload);
        await lb.RemoteStream.WriteAsync("RAW-IN"u8.ToArray());
        Assert.Equal("RAW-IN"u8.ToArray(), await Bounded.ReadExactlyAsync(raw, 6));
        await raw.WriteAsync("RAW-OUT"u8.ToArray());
        Assert.Equal("RAW-OUT"u8.ToArray(), await Bounded.ReadExactlyAsync(lb.RemoteStream, 7));
    }

    // ---- F2: a detach while a sent message is unfinished ----

    [Theory]
    [InlineData(0)] // DetachAsync
    [InlineData(1)] // SendAndDetachAsync
    [InlineData(2)] // Detach
    public async Task Detach_inside_a_sent_message_is_refused_and_changes_nothing(int kind)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        await ws.SendAsync("part1-"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false, Bounded.Token()).Within();

        Func<Task> detach = kind switch
        {
            0 => () => ws.DetachAsync().AsTask(),
            1 => () => ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Binary).AsTask(),
            _ => () => Task.Run(() => ws.Detach()),
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => detach().Within());
        Assert.Contains("EndOfMessage not sent yet", error.Message);
        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.Open, ws.State);

        // Nothing was written by the refused detach: the message goes on, then the detach is accepted.
        await ws.SendAsync("part2"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, Bounded.Token()).Within();
        await using Stream raw = await ws.DetachAsync().Within();
        await raw.WriteAsync("RAW"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);

        byte[] wire = await Bounded.ReadToEndAsync(lb.RemoteStream);
        byte[] expected = Frames.Concat(
            Frames.Build(Frames.Text, "part1-"u8, fin: false),
            Frames.Build(Frames.Continuation, "part2"u8),
            "RAW"u8.ToArray());
        Assert.Equal(expected, wire);
    }

    [Fact]
    public async Task Detach_waiting_for_an_unfinished_send_is_refused_when_it_completes()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var gated = new GatedWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(gated, isServer: true);
        gated.BlockNextWrite();
        Task part1 = ws.SendAsync("part1"u8.ToArray().AsMemory(), WebSocketMessageType.Binary, endOfMessage: false, Bounded.Token()).AsTask();
        await gated.WriteBlocked.Within();
        Task<Stream> detach = ws.DetachAsync(Bounded.Token()).AsTask();
        gated.Release();
        await part1.Within();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => detach.Within());
        Assert.Contains("EndOfMessage not sent yet", error.Message);
        Assert.False(ws.IsDetached);
        await ws.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Binary, endOfMessage: true, Bounded.Token()).Within();
        await using Stream raw = await ws.DetachAsync().Within();
        Assert.True(ws.IsDetached);
    }

    // ---- F3: a send that fails at once returns a failed task, as the BCL does ----

    private static async Task AssertSendFailsLikeBclAsync(Func<WebSocket, Task> send, Type? expected = null)
    {
        Exception? handoffError = null, bclError = null;
        foreach (bool handoff in new[] { true, false })
        {
            using Loopback lb = await Loopback.CreateAsync();
            using WebSocket ws = handoff ? Peers.Handoff(lb.LocalStream, isServer: true) : Peers.Bcl(lb.LocalStream, isServer: true);
            Task task = send(ws); // must not throw here
            Exception error = await Assert.ThrowsAnyAsync<Exception>(() => task.Within());
            if (handoff)
            {
                handoffError = error;
            }
            else
            {
                bclError = error;
            }
        }

        Assert.Equal(bclError!.GetType(), handoffError!.GetType());
        if (expected is not null)
        {
            Assert.IsAssignableFrom(expected, handoffError);
        }
    }

    [Fact]
    public async Task SendAsync_with_a_cancelled_token_returns_a_cancelled_task_like_the_BCL()
    {
        await AssertSendFailsLikeBclAsync(ws =>
        {
            ValueTask t = ws.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, new CancellationToken(true));
            return t.AsTask();
        }, typeof(OperationCanceledException));
        await AssertSendFailsLikeBclAsync(ws =>
            ws.SendAsync(new ArraySegment<byte>("x"u8.ToArray()), WebSocketMessageType.Text, true, new CancellationToken(true)),
            typeof(OperationCanceledException));
        await AssertSendFailsLikeBclAsync(ws =>
            ws.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, new CancellationToken(true)).AsTask(),
            typeof(OperationCanceledException));
    }

    [Fact]
    public async Task SendAsync_on_an_aborted_socket_returns_a_failed_task_like_the_BCL()
    {
        await AssertSendFailsLikeBclAsync(ws =>
        {
            ws.Abort();
            ValueTask t = ws.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, default);
            return t.AsTask();
        });
        await AssertSendFailsLikeBclAsync(ws =>
        {
            ws.Abort();
            return ws.SendAsync(new ArraySegment<byte>("x"u8.ToArray()), WebSocketMessageType.Text, true, default);
        });
    }

    [Fact]
    public async Task ReceiveAsync_with_a_cancelled_token_returns_a_cancelled_task_like_the_BCL()
    {
        await AssertSendFailsLikeBclAsync(ws => ws.ReceiveAsync(new byte[10].AsMemory(), new CancellationToken(true)).AsTask());
        await AssertSendFailsLikeBclAsync(ws => ws.ReceiveAsync(new ArraySegment<byte>(new byte[10]), new CancellationToken(true)));
    }

    [Fact]
    public async Task A_send_that_failed_at_once_does_not_block_a_later_detach()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        Task failed = ws.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, false, new CancellationToken(true)).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => failed.Within());
        Assert.Equal(WebSocketState.Open, ws.State); // as on the BCL WebSocket, a send cancelled before it starts does not abort

        // The cancelled send counted neither as in flight nor as an open message.
        await using Stream raw = await ws.DetachAsync().Within();
        Assert.True(ws.IsDetached);
    }

    // ---- F4: a failed detach is not a detach ----

    [Fact]
    public async Task Failed_SendAndDetachAsync_leaves_a_failed_not_detached_WebSocket()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        lb.Remote.LingerState = new LingerOption(true, 0);
        lb.Remote.Close(); // RST
        await Task.Delay(100);

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() =>
            ws.SendAndDetachAsync(Frames.RandomBytes(8 * 1024 * 1024), WebSocketMessageType.Binary).Within());
        Assert.True(error is WebSocketException or IOException, error.ToString());

        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.Aborted, ws.State);
        Assert.True(IsClosed(lb.Local));

        var send = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, default).AsTask());
        var receive = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.ReceiveAsync(new byte[10].AsMemory(), default).AsTask());
        var detach = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
        var close = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default));
        foreach (var e in new[] { send, receive, detach, close })
        {
            Assert.Contains("detach of this WebSocket failed", e.Message);
            Assert.DoesNotContain("belongs to the stream", e.Message);
        }
    }
}
