using System;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>G7: hostile frames never make the helper overflow, hang or allocate by a declared length.</summary>
/// <remarks>Allocation is measured process-wide, so these tests run alone.</remarks>
[Collection(nameof(HostileInputTests))]
public sealed class HostileInputTests
{
    private const long AllocationLimit = 16 * 1024 * 1024;

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData((long)int.MaxValue + 1)]
    [InlineData(uint.MaxValue)]
    public async Task Huge_declared_length_is_streamed_not_allocated(long declared)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
        var header = new byte[10];
        header[0] = 0x82;
        header[1] = 127;
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(2), declared);
        byte[] payload = Frames.RandomBytes(100_000);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        await lb.RemoteStream.WriteAsync(Frames.Concat(header, payload));
        var buffer = new byte[8192];
        int total = 0;
        while (total < payload.Length / 2)
        {
            ValueWebSocketReceiveResult result = await ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token());
            Assert.False(result.EndOfMessage);
            Assert.Equal(payload.AsSpan(total, result.Count).ToArray(), buffer.AsSpan(0, result.Count).ToArray());
            total += result.Count;
        }

        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < AllocationLimit);

        // Still inside that message: a detach is refused rather than losing the rest.
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
    }

    public static TheoryData<string, byte[]> MalformedFrames => new()
    {
        { "64-bit length with the top bit set", Frames.Concat(new byte[] { 0x82, 127, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, new byte[64]) },
        { "reserved bits", Frames.Build(Frames.Binary, "x"u8, rsv: 7) },
        { "reserved data opcode", Frames.Build(3, "x"u8) },
        { "reserved control opcode", Frames.Build(0xB, "x"u8) },
        { "oversized ping (16-bit length)", Frames.Build(Frames.Ping, new byte[200]) },
        { "oversized close (64-bit length)", Frames.Concat(new byte[] { 0x88, 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, new byte[64]) },
        { "fragmented ping", Frames.Build(Frames.Ping, "x"u8, fin: false) },
        { "continuation without a message", Frames.Build(Frames.Continuation, "x"u8) },
        { "masked frame from a server", Frames.Build(Frames.Text, "x"u8, masked: true) },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task Malformed_frame_is_reported_by_the_WebSocket_without_hang_or_overflow(string what, byte[] frame)
    {
        Assert.NotEmpty(what);
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await lb.RemoteStream.WriteAsync(frame);

        await Assert.ThrowsAsync<WebSocketException>(() => ws.ReceiveAsync(new byte[1024].AsMemory(), Bounded.Token()).AsTask().Within());
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < AllocationLimit);
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
    }

    [Fact]
    public async Task Random_byte_streams_never_hang_or_allocate_by_declared_length()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < 150; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: random.Next(2) == 0);
            byte[] noise = Frames.RandomBytes(random.Next(1, 400), random);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await lb.RemoteStream.WriteAsync(noise);
            lb.Remote.Shutdown(SocketShutdown.Send);
            try
            {
                var buffer = new byte[256];
                while (true)
                {
                    ValueWebSocketReceiveResult result = await ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token()).AsTask().Within();
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (WebSocketException)
            {
                // A protocol error or the end of the stream: the WebSocket's to report.
            }
            catch (TimeoutException)
            {
                Assert.Fail($"hang on iteration {i} (seed {seed})");
            }

            Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < AllocationLimit, $"allocation on iteration {i} (seed {seed})");
        }
    }
}

[CollectionDefinition(nameof(HostileInputTests), DisableParallelization = true)]
public sealed class HostileInputCollection
{
}
