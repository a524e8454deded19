using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;
using WebSocketHandoff.Tests.Review;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>G3 read literally: from the start of a detach no WebSocket-layer byte reaches the transport.</summary>
public sealed class BlackBoxNoInjectionTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Keep_alive_frames_due_while_a_detach_waits_for_a_send_in_flight_never_reach_the_wire(bool isServer, bool sendFinal)
    {
        // The application's 4 MiB send is in flight to a peer that reads slowly; the detach starts at once and waits for
        // it. Keep-alive fires every millisecond meanwhile. Everything after that send's frame was written after the detach
        // began, so it may only be the final message (SendAndDetachAsync) and then raw bytes.
        using Loopback lb = await Loopback.CreateAsync();
        lb.Local.SendBufferSize = 64 * 1024;
        lb.Remote.ReceiveBufferSize = 64 * 1024;
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        byte[] big = Frames.RandomBytes(4 * 1024 * 1024);
        Task send = ws.SendAsync(big, WebSocketMessageType.Binary, true, Bounded.Token());
        Task<Stream> detach = sendFinal
            ? ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Text).AsTask()
            : ws.DetachAsync().AsTask();

        // Read slowly: the send stays in flight for a while (many keep-alive ticks).
        List<Frames.Frame> frames = await Task.Run(async () =>
        {
            var result = new List<Frames.Frame>();
            var slow = new SlowReader(lb.RemoteStream);
            while (true)
            {
                Frames.Frame frame = await Frames.ReadAsync(slow);
                result.Add(frame);
                if (frame.Opcode == Frames.Binary)
                {
                    return result;
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(big, frames[^1].Payload);
        await send.Within();
        await using Stream detached = await detach.Within();
        byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(100));
        await detached.WriteAsync(raw);
        lb.Local.Shutdown(SocketShutdown.Send);

        byte[] after = await Bounded.ReadToEndAsync(lb.RemoteStream);
        var (tail, rest) = Wire.Split(after, 0x8A, 0x81);
        Assert.Equal(raw, rest);
        Assert.Equal(sendFinal ? new[] { Frames.Text } : Array.Empty<int>(), tail.ConvertAll(f => f.Opcode).ToArray());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Keep_alive_frames_queued_behind_a_held_send_while_a_detach_waits_for_it_never_reach_the_wire(bool isServer, bool sendFinal)
    {
        // The application's send is held in flight by the transport long enough for many keep-alive ticks to queue up
        // behind it; the detach starts, then the send completes. Nothing but (the final message and) raw bytes may follow it.
        for (int i = 0; i < 10; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            var holding = new HoldingWriteStream(lb.LocalStream);
            using HandoffWebSocket ws = Peers.Handoff(holding, isServer, TimeSpan.FromMilliseconds(1));
            await Task.Delay(5);
            holding.HoldNextWrite();
            Task send = ws.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, Bounded.Token());
            await holding.WriteHeld.Within();
            Task<Stream> detach = sendFinal
                ? ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Text).AsTask()
                : ws.DetachAsync().AsTask();
            await Task.Delay(30); // keep-alive ticks queue up behind the held send
            holding.Release();
            await send.Within();
            await using Stream detached = await detach.Within();
            byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(10));
            await detached.WriteAsync(raw);
            lb.Local.Shutdown(SocketShutdown.Send);

            var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x82, 0x81);
            Assert.Equal(raw, rest);
            int sent = frames.FindIndex(f => f.Opcode == Frames.Binary);
            Assert.True(sent >= 0);
            Assert.Equal(sendFinal ? new[] { Frames.Text } : Array.Empty<int>(), frames.GetRange(sent + 1, frames.Count - sent - 1).ConvertAll(f => f.Opcode).ToArray());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_queued_behind_a_held_keep_alive_write_when_the_detach_starts_goes_out_and_nothing_follows_it(bool isServer)
    {
        // The send has not started its frame when the detach begins: a keep-alive pong holds the WebSocket's send lock.
        // Frames ahead of the send may go out; the send must not be kept waiting behind a held control frame (no deadlock).
        for (int i = 0; i < 5; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            var holding = new HoldingWriteStream(lb.LocalStream);
            using HandoffWebSocket ws = Peers.Handoff(holding, isServer, TimeSpan.FromMilliseconds(1));
            holding.HoldNextWrite();
            await holding.WriteHeld.Within(); // a keep-alive pong, held
            Task send = ws.SendAsync(new byte[] { 9, 9 }, WebSocketMessageType.Binary, true, Bounded.Token());
            Task<Stream> detach = ws.DetachAsync().AsTask();
            await Task.Delay(20);
            holding.Release();
            await send.Within();
            await using Stream detached = await detach.Within();
            byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(10));
            await detached.WriteAsync(raw);
            lb.Local.Shutdown(SocketShutdown.Send);
            var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x82);
            Assert.Equal(raw, rest);
            Assert.Equal(Frames.Binary, frames[^1].Opcode);
            Assert.Equal(new byte[] { 9, 9 }, frames[^1].Payload);
        }
    }

    [Fact]
    public async Task Pong_held_while_a_cancelled_detach_waited_for_a_send_goes_out_after_it_and_the_WebSocket_keeps_working()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer: true);
        holding.HoldNextWrite();
        Task send = ws.SendAsync(new byte[] { 1 }, WebSocketMessageType.Binary, true, Bounded.Token());
        await holding.WriteHeld.Within();
        using var cts = new System.Threading.CancellationTokenSource();
        Task<Stream> detach = ws.DetachAsync(cts.Token).AsTask();

        // A ping arrives while the detach waits: the receive answers it with a pong, which must wait for the decision.
        Task<ValueWebSocketReceiveResult> receive = ws.ReceiveAsync(new byte[16].AsMemory(), Bounded.Token()).AsTask();
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Ping, "are you there"u8, masked: true));
        await Task.Delay(30);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => detach.Within());
        holding.Release();
        await send.Within();

        // Still attached and working: the held pong went out, messages flow both ways.
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Text, "after"u8, masked: true));
        ValueWebSocketReceiveResult result = await receive.Within();
        Assert.Equal((5, true), (result.Count, result.EndOfMessage));
        await ws.SendAsync(new byte[] { 2 }, WebSocketMessageType.Binary, true, Bounded.Token());
        var first = await Frames.ReadAsync(lb.RemoteStream).Within();
        var second = await Frames.ReadAsync(lb.RemoteStream).Within();
        var third = await Frames.ReadAsync(lb.RemoteStream).Within();
        Assert.Equal(new byte[] { 1 }, first.Payload);
        Assert.Equal((Frames.Pong, "are you there"), (second.Opcode, System.Text.Encoding.UTF8.GetString(second.Payload)));
        Assert.Equal(new byte[] { 2 }, third.Payload);
        Assert.False(ws.IsDetached);
    }

    [Fact]
    public async Task Two_concurrent_sends_with_keep_alive_frames_queued_between_them_do_not_deadlock_a_detach()
    {
        // Concurrent sends are not supported by the WebSocket API, but the BCL WebSocket queues them: a detach waiting for
        // both must not hold a keep-alive frame that the second send is queued behind.
        for (int i = 0; i < 5; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            var holding = new HoldingWriteStream(lb.LocalStream);
            using HandoffWebSocket ws = Peers.Handoff(holding, isServer: true, TimeSpan.FromMilliseconds(1));
            holding.HoldNextWrite();
            Task first = ws.SendAsync(new byte[] { 1 }, WebSocketMessageType.Binary, true, Bounded.Token());
            await holding.WriteHeld.Within();
            await Task.Delay(10); // keep-alive frames queue up behind the first send
            Task second = ws.SendAsync(new byte[] { 2 }, WebSocketMessageType.Binary, true, Bounded.Token());
            await Task.Delay(10);
            Task<Stream> detach = ws.DetachAsync().AsTask();
            await Task.Delay(10);
            holding.Release();
            await Task.WhenAll(first, second).Within();
            await using Stream detached = await detach.Within();
            byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(10));
            await detached.WriteAsync(raw);
            lb.Local.Shutdown(SocketShutdown.Send);
            var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x82);
            Assert.Equal(raw, rest);
            Assert.Equal(new[] { 1, 2 }, frames.FindAll(f => f.Opcode == Frames.Binary).ConvertAll(f => (int)f.Payload[0]).ToArray());
        }
    }

    private sealed class SlowReader : DelegatingStream
    {
        private int _reads;

        public SlowReader(Stream inner)
            : base(inner)
        {
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, System.Threading.CancellationToken cancellationToken = default)
        {
            if (++_reads % 8 == 0)
            {
                await Task.Delay(3, cancellationToken);
            }

            return await Inner.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, 16 * 1024)), cancellationToken);
        }
    }
}
