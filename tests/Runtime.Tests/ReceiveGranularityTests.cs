using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;
using Xunit;

namespace WebSocketHandoff.Tests;

/// <summary>
/// G6 for the ArraySegment overload of ReceiveAsync, which allocates a result per call on the BCL WebSocket too: the helper
/// must not make the application call it more often per message, nor allocate more per call when the receive has to wait.
/// </summary>
/// <remarks>Allocation is measured process-wide, so these tests run alone, with <see cref="CostTests"/>.</remarks>
[Collection(nameof(HostileInputTests))]
public sealed class ReceiveGranularityTests
{
    private const int Batch = 500;

    [Theory]
    [InlineData(65536)]
    [InlineData(16384)]
    [InlineData(5000)]
    public async Task A_message_that_arrived_in_one_write_takes_no_more_ReceiveAsync_results_than_with_the_BCL_WebSocket(int size)
    {
        int bcl = await ResultsPerArrivedMessageAsync(size, handoff: false);
        int handoff = await ResultsPerArrivedMessageAsync(size, handoff: true);
        Assert.True(handoff <= bcl, $"{size} B message: HandoffWebSocket returned {handoff} results, the BCL WebSocket {bcl}");
    }

    [Fact]
    public async Task A_64_KiB_message_streamed_by_a_peer_takes_no_more_ReceiveAsync_results_than_with_the_BCL_WebSocket()
    {
        double bcl = await ResultsPerStreamedMessageAsync(handoff: false);
        double handoff = await ResultsPerStreamedMessageAsync(handoff: true);
        Assert.True(handoff <= bcl, $"HandoffWebSocket returned {handoff:F2} results per message, the BCL WebSocket {bcl:F2}");
    }

    [Fact]
    public async Task An_ArraySegment_receive_that_waits_allocates_no_more_than_with_the_BCL_WebSocket()
    {
        // Both connections live at once and are measured in alternating batches, the least of each kept: how many sends
        // and receives complete asynchronously (and so allocate, on both) follows the machine's load, which must not
        // fall on one side only.
        using var bclSide = await WaitingReceiver.CreateAsync(handoff: false);
        using var handoffSide = await WaitingReceiver.CreateAsync(handoff: true);
        await bclSide.ReceiveAsync(Batch).Within(); // warm-up: pools filled, code jitted
        await handoffSide.ReceiveAsync(Batch).Within();
        double bcl = double.MaxValue;
        double handoff = double.MaxValue;
        for (int b = 0; b < 5; b++)
        {
            bcl = Math.Min(bcl, await bclSide.AllocatedPerMessageAsync(Batch));
            handoff = Math.Min(handoff, await handoffSide.AllocatedPerMessageAsync(Batch));
        }

        // Slack for timing: with other test projects running alongside, some of the helper's pooled ValueTask boxes are
        // missed (a continuation resumes on another core) and about 30 B per message more get allocated; on a quiet
        // machine the two are within a few bytes. The defect this guards against, an async Task state machine per waiting
        // receive, cost 56 B per message and more, and still fails this check.
        Assert.True(handoff <= bcl + 40, $"HandoffWebSocket allocated {handoff:F1} B per 64 KiB message, the BCL WebSocket {bcl:F1} B");
    }

    private static WebSocket Create(Loopback lb, bool handoff)
        => handoff ? Peers.Handoff(lb.LocalStream, isServer: false) : Peers.Bcl(lb.LocalStream, isServer: false);

    private static async Task<int> ResultsPerArrivedMessageAsync(int size, bool handoff)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using WebSocket ws = Create(lb, handoff);
        byte[] frame = Frames.Build(Frames.Binary, Frames.RandomBytes(size));
        await lb.RemoteStream.WriteAsync(frame).Within();

        // Wait (bounded) until the whole frame is readable from the local socket, so that both WebSockets see the same thing.
        using var limit = new CancellationTokenSource(Bounded.Limit);
        while (lb.Local.Available < frame.Length)
        {
            await Task.Delay(5, limit.Token);
        }

        var buffer = new byte[size];
        int results = 0;
        int received = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, received, size - received), Bounded.Token()).Within();
            received += result.Count;
            results++;
        }
        while (!result.EndOfMessage);

        Assert.Equal(size, received);
        return results;
    }

    private static async Task<double> ResultsPerStreamedMessageAsync(bool handoff)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using WebSocket ws = Create(lb, handoff);
        using WebSocket peer = Peers.Bcl(lb.RemoteStream, isServer: true);
        byte[] message = Frames.RandomBytes(65536);
        Task send = Task.Run(async () =>
        {
            for (int i = 0; i < Batch; i++)
            {
                await peer.SendAsync(message.AsMemory(), WebSocketMessageType.Binary, true, default);
            }
        });

        var segment = new ArraySegment<byte>(new byte[message.Length]);
        int results = 0;
        for (int i = 0; i < Batch; i++)
        {
            WebSocketReceiveResult result;
            do
            {
                result = await ws.ReceiveAsync(segment, default).Within();
                results++;
            }
            while (!result.EndOfMessage);
        }

        await send.Within();
        return (double)results / Batch;
    }

    /// <summary>
    /// Allocated bytes per 64 KiB message received with the ArraySegment overload while the receive is pending before the
    /// peer sends (so it completes asynchronously every time); the least over a few batches, as in <see cref="CostTests"/>.
    /// </summary>
    /// <summary>A connection whose local end receives 64 KiB messages through the ArraySegment overload, each receive waiting.</summary>
    private sealed class WaitingReceiver : IDisposable
    {
        private readonly Loopback _lb;
        private readonly WebSocket _ws;
        private readonly WebSocket _peer;
        private readonly byte[] _message = Frames.RandomBytes(65536);
        private readonly ArraySegment<byte> _segment = new ArraySegment<byte>(new byte[65536]);

        private WaitingReceiver(Loopback lb, bool handoff)
        {
            _lb = lb;
            _ws = Create(lb, handoff);
            _peer = Peers.Bcl(lb.RemoteStream, isServer: true);
        }

        public static async Task<WaitingReceiver> CreateAsync(bool handoff) => new WaitingReceiver(await Loopback.CreateAsync(), handoff);

        public async Task ReceiveAsync(int n)
        {
            for (int i = 0; i < n; i++)
            {
                Task<WebSocketReceiveResult> receive = _ws.ReceiveAsync(_segment, default);
                await _peer.SendAsync(_message.AsMemory(), WebSocketMessageType.Binary, true, default);
                while (!(await receive).EndOfMessage)
                {
                    receive = _ws.ReceiveAsync(_segment, default);
                }
            }
        }

        public async Task<double> AllocatedPerMessageAsync(int n)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await ReceiveAsync(n).Within();
            return (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / n;
        }

        public void Dispose()
        {
            _ws.Dispose();
            _peer.Dispose();
            _lb.Dispose();
        }
    }
}
