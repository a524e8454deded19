using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>G6, the part a functional test can check: no extra allocation per message, and direct I/O once drained.</summary>
/// <remarks>Allocation is measured process-wide, so these tests run alone (throughput is measured in bench/).</remarks>
[Collection(nameof(HostileInputTests))]
public sealed class CostTests
{
    private const int Messages = 4000; // the warm-up and three batches of MinimumPerOperationAsync

    [Theory]
    [InlineData(16)]
    [InlineData(1024)]
    [InlineData(65536)]
    public async Task Attached_round_trips_allocate_no_more_per_message_than_the_BCL_WebSocket(int size)
    {
        double bcl = await AllocatedPerRoundTripAsync(size, handoff: false);
        double handoff = await AllocatedPerRoundTripAsync(size, handoff: true);

        // A little slack for the runtime's own background allocations (timers, thread pool) during the run.
        Assert.True(handoff <= bcl + 8, $"HandoffWebSocket allocated {handoff:F1} B per round trip, the BCL WebSocket {bcl:F1} B");
    }

    [Fact]
    public async Task Detached_stream_allocates_no_more_per_read_than_the_bare_transport_once_drained()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "x"u8), "ab"u8.ToArray()));
        await Peers.ReceiveMessageAsync(ws);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal("ab"u8.ToArray(), await Bounded.ReadExactlyAsync(detached, 2));

        using Loopback bare = await Loopback.CreateAsync();
        double viaDetached = await AllocatedPerEchoAsync(lb.RemoteStream, detached);
        double viaTransport = await AllocatedPerEchoAsync(bare.RemoteStream, bare.LocalStream);
        Assert.True(viaDetached <= viaTransport + 8, $"detached {viaDetached:F1} B per read, bare transport {viaTransport:F1} B");
    }

    private static async Task<double> AllocatedPerEchoAsync(Stream writer, Stream reader)
    {
        byte[] chunk = Frames.RandomBytes(512);
        var buffer = new byte[512];
        return await MinimumPerOperationAsync(async n =>
        {
            for (int i = 0; i < n; i++)
            {
                await writer.WriteAsync(chunk.AsMemory());
                int got = 0;
                while (got < chunk.Length)
                {
                    got += await reader.ReadAsync(buffer.AsMemory(got), default);
                }
            }
        });
    }

    /// <summary>
    /// Allocated bytes per operation, the least over a few batches: a rare pool miss or thread-pool growth in one batch
    /// is noise, a per-operation allocation shows in every batch.
    /// </summary>
    private static async Task<double> MinimumPerOperationAsync(Func<int, Task> run)
    {
        const int Batch = 1000;
        await run(Batch).Within(); // warm-up: pools filled, code jitted
        double least = double.MaxValue;
        for (int b = 0; b < 3; b++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await run(Batch).Within();
            least = Math.Min(least, (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / Batch);
        }

        return least;
    }

    private static async Task<double> AllocatedPerRoundTripAsync(int size, bool handoff)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using WebSocket local = handoff ? Peers.Handoff(lb.LocalStream, isServer: true) : Peers.Bcl(lb.LocalStream, isServer: true);
        using WebSocket remote = Peers.Bcl(lb.RemoteStream, isServer: false);
        byte[] payload = Frames.RandomBytes(size);
        var receiveBuffer = new byte[size];
        var echoBuffer = new byte[size];

        Task echo = Task.Run(async () =>
        {
            for (int i = 0; i < Messages; i++)
            {
                ValueWebSocketReceiveResult r;
                int count = 0;
                do
                {
                    r = await remote.ReceiveAsync(echoBuffer.AsMemory(count), default);
                    count += r.Count;
                }
                while (!r.EndOfMessage);
                await remote.SendAsync(echoBuffer.AsMemory(0, count), WebSocketMessageType.Binary, true, default);
            }
        });

        async Task RoundTripsAsync(int n)
        {
            for (int i = 0; i < n; i++)
            {
                await local.SendAsync(payload.AsMemory(), WebSocketMessageType.Binary, true, default);
                ValueWebSocketReceiveResult r;
                int count = 0;
                do
                {
                    r = await local.ReceiveAsync(receiveBuffer.AsMemory(count), default);
                    count += r.Count;
                }
                while (!r.EndOfMessage);
            }
        }

        double perRoundTrip = await MinimumPerOperationAsync(RoundTripsAsync);
        await echo.Within();
        return perRoundTrip;
    }
}
