using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.BlackBox;
using WebSocketHandoff.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WebSocketHandoff.Tests.BlackBox2;

/// <summary>Failures at the edges: rejected arguments, the owner aborting during the final send (G4, G5).</summary>
public sealed class BlackBox2FaultTests
{
    private readonly ITestOutputHelper _output;

    public BlackBox2FaultTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void CreateFromStream_with_arguments_the_BCL_rejects_keeps_no_pooled_read_buffer()
    {
        // A rejected call builds nothing, so it must give back what it took: a 4 KiB read buffer rented from the shared
        // pool and never returned would make every such call allocate a new one once the pool is drained.
        using var stream = new MemoryStream();
        void Rejected(int kind)
        {
            try
            {
                _ = kind == 0
                    ? HandoffWebSocket.CreateFromStream(stream, isServer: true, subProtocol: "not a token", TimeSpan.Zero)
                    : HandoffWebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, TimeSpan.FromSeconds(-5));
                Assert.Fail("The BCL accepted the arguments.");
            }
            catch (ArgumentException)
            {
            }
        }

        for (int kind = 0; kind < 2; kind++)
        {
            // Drains whatever the pool holds, if buffers are kept.
            for (int i = 0; i < 500; i++)
            {
                Rejected(kind);
            }

            const int Calls = 200;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++)
            {
                Rejected(kind);
            }

            long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
            _output.WriteLine($"kind {kind}: {perCall} bytes per rejected call");
            Assert.True(perCall < 4096, $"{perCall} bytes allocated per rejected call: a pooled read buffer is not returned");
            Assert.True(stream.CanRead && stream.CanWrite, "the caller's stream was closed");
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task Abort_or_Dispose_while_the_final_message_of_SendAndDetachAsync_is_on_the_wire_fails_the_detach_and_closes_the_connection(bool isServer, bool abort)
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        HandoffWebSocket ws = Peers.Handoff(holding, isServer);

        // Keep-alive is off, so the next write is the final message's frame.
        holding.HoldNextWrite();
        Task<Stream> detach = ws.SendAndDetachAsync(new byte[5000], WebSocketMessageType.Binary).AsTask();
        await holding.WriteHeld.Within();
        Assert.False(detach.IsCompleted);
        if (abort)
        {
            ws.Abort();
        }
        else
        {
            ws.Dispose();
        }

        holding.Release();
        var error = await Assert.ThrowsAsync<WebSocketException>(() => detach.Within());
        Assert.Contains("aborted or disposed", error.Message);
        Assert.False(ws.IsDetached);
        Assert.Equal(abort ? WebSocketState.Aborted : WebSocketState.Closed, ws.State);

        // Nothing was handed off, the connection is closed (the peer sees its end), and the socket says why.
        byte[] wire = await Bounded.ReadToEndAsync(lb.RemoteStream).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : Array.Empty<byte>());
        Assert.True(wire.Length <= 5000 + 14);
        var later = Assert.Throws<InvalidOperationException>(() => ws.Detach());
        Assert.Contains("failed", later.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Binary, true, default).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.ReceiveAsync(new byte[1].AsMemory(), default).AsTask());
        ws.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Fragmented_final_message_ending_in_a_continuation_frame_with_raw_bytes_split_at_every_byte_loses_nothing(bool isServer)
    {
        byte[] raw = Frames.RandomBytes(20);
        byte[] wire = Frames.Concat(
            Frames.Build(Frames.Text, "ab"u8, fin: false, masked: isServer),
            Frames.Build(Frames.Ping, "p"u8, masked: isServer),
            Frames.Build(Frames.Continuation, ReadOnlySpan<byte>.Empty, fin: false, masked: isServer),
            Frames.Build(Frames.Continuation, "cd"u8, fin: true, masked: isServer),
            raw);
        for (int split = 1; split < wire.Length; split++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(new SegmentingStream(lb.LocalStream, split), isServer);
            await lb.RemoteStream.WriteAsync(wire);
            var (type, payload) = await Peers.ReceiveMessageAsync(ws, chunk: 1);
            Assert.Equal(WebSocketMessageType.Text, type);
            Assert.Equal("abcd"u8.ToArray(), payload);
            await using Stream detached = await ws.DetachAsync().Within();
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));

            // Only the pong answering the ping went out before the handoff point.
            lb.Local.Shutdown(SocketShutdown.Send);
            byte[] sent = await Bounded.ReadToEndAsync(lb.RemoteStream);
            int offset = 0;
            Frames.Frame pong = Frames.Parse(sent, ref offset);
            Assert.Equal((Frames.Pong, "p"), (pong.Opcode, System.Text.Encoding.UTF8.GetString(pong.Payload)));
            Assert.Equal(sent.Length, offset);
        }
    }
}
