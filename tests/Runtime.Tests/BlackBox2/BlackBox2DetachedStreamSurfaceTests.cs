using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox2;

/// <summary>
/// The detached stream as an ordinary <see cref="Stream"/>: its capabilities, its edge reads (zero-length, after the end),
/// its disposal, and the HandoffWebSocket disposed before the residual is read (G1, G4).
/// </summary>
public sealed class BlackBox2DetachedStreamSurfaceTests
{
    private static readonly byte[] Final = Frames.Build(Frames.Text, "last"u8);

    /// <summary>The peer's final frame for <paramref name="isServer"/> (a client masks), with raw bytes in the same write.</summary>
    private static async Task<(Loopback Lb, HandoffWebSocket Ws, byte[] Raw)> DetachedSetupAsync(bool isServer, int rawCount = 300)
    {
        Loopback lb = await Loopback.CreateAsync();
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        byte[] raw = Frames.RandomBytes(rawCount);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "last"u8, masked: isServer), raw));
        var (type, payload) = await Peers.ReceiveMessageAsync(ws);
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("last"u8.ToArray(), payload);
        return (lb, ws, raw);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detached_stream_is_a_duplex_non_seekable_stream_whose_timeouts_are_the_transports(bool isServer)
    {
        var (lb, ws, _) = await DetachedSetupAsync(isServer);
        using (lb)
        using (ws)
        {
            Stream detached = await ws.DetachAsync().Within();
            Assert.True(detached.CanRead);
            Assert.True(detached.CanWrite);
            Assert.False(detached.CanSeek);
            Assert.Equal(lb.LocalStream.CanTimeout, detached.CanTimeout);
            Assert.Throws<NotSupportedException>(() => detached.Length);
            Assert.Throws<NotSupportedException>(() => detached.Position);
            Assert.Throws<NotSupportedException>(() => detached.Position = 0);
            Assert.Throws<NotSupportedException>(() => detached.Seek(0, SeekOrigin.Begin));
            Assert.Throws<NotSupportedException>(() => detached.SetLength(1));

            // Timeouts are the transport's own, both ways.
            detached.ReadTimeout = 4321;
            detached.WriteTimeout = 1234;
            Assert.Equal(4321, lb.LocalStream.ReadTimeout);
            Assert.Equal(1234, lb.LocalStream.WriteTimeout);
            lb.LocalStream.ReadTimeout = 777;
            Assert.Equal(777, detached.ReadTimeout);

            detached.Dispose();
            Assert.False(detached.CanRead);
            Assert.False(detached.CanWrite);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Zero_length_reads_of_the_detached_stream_consume_nothing_before_during_and_after_the_residual(bool isServer)
    {
        var (lb, ws, raw) = await DetachedSetupAsync(isServer, rawCount: 40);
        using (lb)
        using (ws)
        {
            await using Stream detached = await ws.DetachAsync().Within();
            Assert.Equal(0, await detached.ReadAsync(Memory<byte>.Empty, Bounded.Token()));
            Assert.Equal(0, detached.Read(Array.Empty<byte>(), 0, 0));
            Assert.Equal(0, detached.Read(Span<byte>.Empty));

            // Part of the residual, then zero-length reads again, then the rest.
            byte[] first = await Bounded.ReadExactlyAsync(detached, 10);
            Assert.Equal(0, await detached.ReadAsync(new byte[5], 2, 0, Bounded.Token()));
            Assert.Equal(0, detached.Read(Span<byte>.Empty));
            byte[] rest = await Bounded.ReadExactlyAsync(detached, raw.Length - 10);
            Assert.Equal(raw, Frames.Concat(first, rest));

            // Past the residual the transport answers; what the peer sends next is all there.
            byte[] later = Frames.RandomBytes(5000);
            await lb.RemoteStream.WriteAsync(later);
            Assert.Equal(0, await detached.ReadAsync(Memory<byte>.Empty, Bounded.Token()));
            Assert.Equal(later, await Bounded.ReadExactlyAsync(detached, later.Length));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_read_API_keeps_returning_end_of_stream_after_the_peer_closed_its_side(bool isServer)
    {
        var (lb, ws, raw) = await DetachedSetupAsync(isServer, rawCount: 100);
        using (lb)
        using (ws)
        {
            lb.Remote.Shutdown(SocketShutdown.Send);
            await using Stream detached = await ws.DetachAsync().Within();
            Assert.Equal(raw, await Bounded.ReadToEndAsync(detached));
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(0, await detached.ReadAsync(new byte[16].AsMemory(), Bounded.Token()));
                Assert.Equal(0, await detached.ReadAsync(new byte[16], 0, 16, Bounded.Token()));
                Assert.Equal(0, detached.Read(new byte[16], 0, 16));
                Assert.Equal(0, detached.Read(new byte[16].AsSpan()));
                Assert.Equal(-1, detached.ReadByte());
            }

            // The write direction is still open: the peer gets what is written after its half-close.
            // (Keep-alive pongs written before the detach come first.)
            await detached.WriteAsync("still here"u8.ToArray());
            lb.Local.Shutdown(SocketShutdown.Send);
            Assert.Equal("still here"u8.ToArray(), Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream)));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadByte_and_synchronous_Write_on_the_detached_stream_carry_the_residual_and_the_answer(bool isServer)
    {
        var (lb, ws, raw) = await DetachedSetupAsync(isServer, rawCount: 64);
        using (lb)
        using (ws)
        {
            using Stream detached = ws.Detach();
            var got = new byte[raw.Length];
            for (int i = 0; i < raw.Length; i++)
            {
                int b = detached.ReadByte();
                Assert.InRange(b, 0, 255);
                got[i] = (byte)b;
            }

            Assert.Equal(raw, got);
            detached.Write("answer"u8);
            detached.Write(new byte[] { 9, 8, 7 }, 1, 2);
            detached.WriteByte(42);
            detached.Flush();
            lb.Local.Shutdown(SocketShutdown.Send);
            byte[] wire = Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream));
            Assert.Equal(Frames.Concat("answer"u8.ToArray(), new byte[] { 8, 7, 42 }), wire);
        }
    }

    [Fact]
    public async Task Disposing_the_detached_stream_twice_and_then_DisposeAsync_throw_nothing_and_leave_it_disposed()
    {
        var (lb, ws, _) = await DetachedSetupAsync(isServer: true);
        using (lb)
        using (ws)
        {
            Stream detached = await ws.DetachAsync().Within();
            detached.Dispose();
            detached.Dispose();
            await detached.DisposeAsync();
            await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => detached.ReadAsync(new byte[1].AsMemory()).AsTask());
            Assert.ThrowsAny<ObjectDisposedException>(() => detached.Write(new byte[1], 0, 1));

            // The connection is closed: after the keep-alive pongs written before the detach, the peer sees its end.
            Assert.Empty(Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream)));

            // The HandoffWebSocket after all that: disposing it throws nothing, and it still says it was detached.
            ws.Dispose();
            ws.Abort();
            Assert.True(ws.IsDetached);
            Assert.Equal(WebSocketState.Closed, ws.State);
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task Disposing_or_aborting_the_HandoffWebSocket_before_the_residual_is_read_loses_nothing(bool isServer, bool abort)
    {
        var (lb, ws, raw) = await DetachedSetupAsync(isServer, rawCount: 3000);
        using (lb)
        {
            Stream detached = await ws.DetachAsync().Within();
            if (abort)
            {
                ws.Abort();
            }

            ws.Dispose();
            ws.Dispose();

            // Read with the synchronous API, which goes to the transport once the residual is drained.
            byte[] later = Frames.RandomBytes(2000);
            await lb.RemoteStream.WriteAsync(later);
            var got = new byte[raw.Length + later.Length];
            int total = 0;
            while (total < got.Length)
            {
                int n = await Task.Run(() => detached.Read(got, total, got.Length - total)).Within();
                Assert.True(n > 0);
                total += n;
            }

            Assert.Equal(Frames.Concat(raw, later), got);
            await detached.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CopyToAsync_of_the_detached_stream_delivers_residual_and_later_bytes_until_the_peer_closes(bool isServer)
    {
        var (lb, ws, raw) = await DetachedSetupAsync(isServer, rawCount: 1500);
        using (lb)
        using (ws)
        {
            await using Stream detached = await ws.DetachAsync().Within();
            byte[] later = Frames.RandomBytes(200_000);
            Task writer = Task.Run(async () =>
            {
                await lb.RemoteStream.WriteAsync(later);
                lb.Remote.Shutdown(SocketShutdown.Send);
            });
            using var sink = new MemoryStream();
            await detached.CopyToAsync(sink, 333, Bounded.Token()).Within();
            await writer.Within();
            Assert.Equal(Frames.Concat(raw, later), sink.ToArray());
        }
    }

    [Fact]
    public async Task ReceiveAsync_ArraySegment_overload_pending_at_the_detach_fails_saying_detached_and_the_bytes_are_in_the_stream()
    {
        // The Task-returning overload (what older code and the code fixes call) pending at the detach.
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false, TimeSpan.FromMilliseconds(1));
        await lb.RemoteStream.WriteAsync(Final);
        WebSocketReceiveResult first = await ws.ReceiveAsync(new ArraySegment<byte>(new byte[64]), Bounded.Token()).Within();
        Assert.True(first.EndOfMessage);
        Assert.Equal(4, first.Count);

        Task<WebSocketReceiveResult> pending = ws.ReceiveAsync(new ArraySegment<byte>(new byte[64], 3, 5), Bounded.Token());
        await Task.Delay(20);
        Assert.False(pending.IsCompleted);
        Stream detached = await ws.DetachAsync().Within();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        Assert.Contains("detached", error.Message);

        // A frame-shaped start of the raw bytes is not parsed by the dead receive: it is all in the stream.
        byte[] raw = Frames.Concat(Frames.Build(Frames.Ping, "x"u8), Frames.RandomBytes(50));
        await lb.RemoteStream.WriteAsync(raw);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        await detached.DisposeAsync();
    }
}
