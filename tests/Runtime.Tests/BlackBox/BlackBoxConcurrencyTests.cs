using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;
using WebSocketHandoff.Tests.Review;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>Detaching from one thread while others use the socket (G2, G3, G5).</summary>
public sealed class BlackBoxConcurrencyTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_loop_on_another_thread_racing_a_detach_puts_exactly_the_sends_that_succeeded_on_the_wire(bool isServer)
    {
        var random = new Random(1234);
        for (int iteration = 0; iteration < 25; iteration++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
            Task<byte[]> peer = Bounded.ReadToEndAsync(lb.RemoteStream);
            var succeeded = new List<int>();
            using var started = new SemaphoreSlim(0);
            Task sender = Task.Run(async () =>
            {
                for (int i = 0; ; i++)
                {
                    var payload = new byte[4 + (i % 7) * 300];
                    BinaryPrimitives.WriteInt32BigEndian(payload, i);
                    try
                    {
                        await ws.SendAsync(payload.AsMemory(), WebSocketMessageType.Binary, true, Bounded.Token());
                    }
                    catch (InvalidOperationException)
                    {
                        return; // refused: the detach has begun (or is done)
                    }

                    succeeded.Add(i);
                    if (i == 3)
                    {
                        started.Release();
                    }
                }
            });

            await started.WaitAsync(Bounded.Token());
            await Task.Delay(random.Next(3));
            Stream detached = await Task.Run(() => ws.DetachAsync().AsTask()).Within();
            await sender.Within();

            byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(64));
            await detached.WriteAsync(raw);
            lb.Local.Shutdown(SocketShutdown.Send);
            var (frames, rest) = Wire.Split(await peer.Within(), 0x82, 0x8A);
            Assert.Equal(raw, rest);
            var onWire = new List<int>();
            foreach (Frames.Frame frame in frames)
            {
                Assert.Equal(!isServer, frame.Masked);
                if (frame.Opcode == Frames.Binary)
                {
                    onWire.Add(BinaryPrimitives.ReadInt32BigEndian(frame.Payload));
                    Assert.Equal(4 + (onWire[^1] % 7) * 300, frame.Payload.Length);
                }
            }

            Assert.Equal(succeeded, onWire);
            await detached.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_second_detach_while_the_first_waits_for_a_send_throws_and_the_first_completes()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer: true);
        holding.HoldNextWrite();
        Task send = ws.SendAsync("in flight"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
        await holding.WriteHeld.Within();
        Task<Stream> first = ws.DetachAsync().AsTask();

        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
        Assert.Contains("detach is in progress", second.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask());
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
        Assert.False(first.IsCompleted);

        holding.Release();
        await send.Within();
        await using Stream detached = await first.Within();
        Assert.True(ws.IsDetached);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
        await detached.WriteAsync(new byte[] { 0x00, 0x42 });
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x81);
        Assert.Equal("in flight"u8.ToArray(), Assert.Single(frames).Payload);
        Assert.Equal(new byte[] { 0x00, 0x42 }, rest);
    }

    [Fact]
    public async Task Synchronous_Detach_on_a_single_threaded_SynchronizationContext_with_a_pending_receive_does_not_deadlock()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true, TimeSpan.FromMilliseconds(1));
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Text, "last"u8, masked: true));

        var outcome = new TaskCompletionSource<(Exception? ReceiveError, Stream Detached)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var context = new SingleThreadContext();
            SynchronizationContext.SetSynchronizationContext(context);
            context.Post(async _ =>
            {
                try
                {
                    // UI-style code: awaits resume on this thread; the pending receive's continuation is queued here too.
                    await Peers.ReceiveMessageAsync(ws);
                    Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[8].AsMemory(), CancellationToken.None).AsTask();
                    Stream detached = ws.Detach(); // blocks this thread: nothing it needs may be queued behind it
                    Exception? receiveError = null;
                    try
                    {
                        await pending;
                    }
                    catch (Exception ex)
                    {
                        receiveError = ex;
                    }

                    outcome.SetResult((receiveError, detached));
                }
                catch (Exception ex)
                {
                    outcome.SetException(ex);
                }
                finally
                {
                    context.Complete();
                }
            }, null);
            context.Run();
        })
        { IsBackground = true };
        thread.Start();

        (Exception? error, Stream raw) = await outcome.Task.Within();
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("detached", error!.Message);
        await using (raw)
        {
            byte[] bytes = Frames.RandomBytes(1000);
            await lb.RemoteStream.WriteAsync(bytes);
            Assert.Equal(bytes, await Bounded.ReadExactlyAsync(raw, bytes.Length));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Detach_racing_keep_alive_ticks_over_TLS_leaves_only_whole_pongs_before_the_raw_bytes(bool isServer)
    {
        // Over TLS a pong write completes asynchronously (encryption, then the socket): the in-flight path of the write gate.
        for (int i = 0; i < 10; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            var (localTls, remoteTls) = await ReviewHelpers.TlsAsync(lb);
            using HandoffWebSocket ws = Peers.Handoff(localTls, isServer, TimeSpan.FromMilliseconds(1));
            Task<byte[]> peer = Bounded.ReadToEndAsync(remoteTls);
            await Task.Delay(i % 4);
            await using Stream detached = await ws.DetachAsync().Within();
            await Task.Delay(5); // the keep-alive timer would tick here
            byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(2000));
            await detached.WriteAsync(raw);
            await localTls.ShutdownAsync();
            var (frames, rest) = Wire.Split(await peer.Within(), 0x8A);
            Assert.Equal(raw, rest);
            Assert.All(frames, f => Assert.Equal((Frames.Pong, !isServer, 0), (f.Opcode, f.Masked, f.Payload.Length)));
        }
    }

    [Fact]
    public async Task SendAndDetachAsync_meeting_a_close_that_began_before_it_either_refuses_and_changes_nothing_or_sends_the_final_message_last()
    {
        // CloseOutputAsync waits inside the WebSocket behind a keep-alive pong stuck in flight, then SendAndDetachAsync
        // starts. Whatever the order the two end in, no frame follows the handoff point and no outcome is silent.
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer: true, TimeSpan.FromMilliseconds(10));
        holding.HoldNextWrite();
        await holding.WriteHeld.Within();
        Task close = ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Bounded.Token());
        await Task.Delay(50);
        Task<Stream> detach = ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Text).AsTask();
        await Task.Delay(50);
        holding.Release();

        Exception? closeError = await Record.ExceptionAsync(() => close.Within());
        Exception? detachError = await Record.ExceptionAsync(() => detach.Within());
        Assert.True(closeError is null or InvalidOperationException, closeError?.ToString());
        Assert.True(detachError is null or InvalidOperationException, detachError?.ToString());
        Stream? detached = detachError is null ? await detach : null;
        if (detached is null)
        {
            // Refused: nothing changed, the WebSocket is still attached and a later DetachAsync works.
            Assert.False(ws.IsDetached);
            detached = await ws.DetachAsync().Within();
        }

        byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(10));
        await detached.WriteAsync(raw);
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x88, 0x81);
        Assert.Equal(raw, rest);
        Assert.Equal(closeError is null, frames.Exists(f => f.Opcode == Frames.Close));
        Assert.Equal(detachError is null, frames.Exists(f => f.Opcode == Frames.Text));
        if (detachError is null)
        {
            Assert.Equal(Frames.Text, frames[^1].Opcode);
        }

        await detached.DisposeAsync();
    }

    /// <summary>A SynchronizationContext that runs posted work on the one thread that calls <see cref="Run"/>.</summary>
    private sealed class SingleThreadContext : SynchronizationContext, IDisposable
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();

        public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

        public void Complete() => _queue.CompleteAdding();

        public void Run()
        {
            foreach ((SendOrPostCallback callback, object? state) in _queue.GetConsumingEnumerable())
            {
                callback(state);
            }
        }

        public void Dispose() => _queue.Dispose();
    }
}
