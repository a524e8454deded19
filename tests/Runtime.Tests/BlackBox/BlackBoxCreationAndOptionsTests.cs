using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>CreateFromStream mirrors the BCL's, and every option is honoured, KeepAliveTimeout included.</summary>
public sealed class BlackBoxCreationAndOptionsTests
{
    public static TheoryData<string> BadArguments => new() { "bad sub-protocol", "negative keep-alive", "null stream", "read-only stream", "null options" };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task CreateFromStream_rejects_what_the_BCL_rejects_with_the_same_exception_type_and_leaves_the_stream_open(string what)
    {
        using Loopback lb = await Loopback.CreateAsync();
        Stream? stream = what switch
        {
            "null stream" => null,
            "read-only stream" => new MemoryStream(new byte[10], writable: false),
            _ => lb.LocalStream,
        };

        Exception? bcl = Record.Exception(() => Create(what, stream, bclType: true));
        Exception? handoff = Record.Exception(() => Create(what, stream, bclType: false));
        Assert.NotNull(bcl);
        Assert.NotNull(handoff);
        Assert.IsType(bcl!.GetType(), handoff);

        // The stream is untouched: still usable by the caller.
        await lb.LocalStream.WriteAsync("ok"u8.ToArray());
        Assert.Equal("ok"u8.ToArray(), await Bounded.ReadExactlyAsync(lb.RemoteStream, 2));
    }

    private static object Create(string what, Stream? stream, bool bclType)
    {
        if (what == "null options")
        {
            return bclType ? WebSocket.CreateFromStream(stream!, null!) : HandoffWebSocket.CreateFromStream(stream!, null!);
        }

        string? subProtocol = what == "bad sub-protocol" ? "has space" : null;
        TimeSpan keepAlive = what == "negative keep-alive" ? TimeSpan.FromSeconds(-5) : TimeSpan.Zero;
        return bclType
            ? WebSocket.CreateFromStream(stream!, isServer: true, subProtocol, keepAlive)
            : HandoffWebSocket.CreateFromStream(stream!, isServer: true, subProtocol, keepAlive);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KeepAliveTimeout_passing_long_after_a_detach_leaves_the_detached_transport_working(bool pendingReceiveAtDetach)
    {
        // Ping keep-alive with a short timeout; after the switch the peer speaks raw bytes and never answers a ping.
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = TimeSpan.FromMilliseconds(100),
            KeepAliveTimeout = TimeSpan.FromMilliseconds(100),
        });
        byte[] residual = Frames.RandomBytes(64);
        // With a receive pending at the detach, the raw bytes must come after it (before it, that receive would parse
        // them as a frame, as the BCL's does); without one they may come with the final frame.
        byte[] final = Frames.Build(Frames.Text, "switch"u8, masked: true);
        await lb.RemoteStream.WriteAsync(pendingReceiveAtDetach ? final : Frames.Concat(final, residual));
        Assert.Equal("switch", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
        Task<ValueWebSocketReceiveResult>? pending = pendingReceiveAtDetach ? ws.ReceiveAsync(new byte[8].AsMemory(), CancellationToken.None).AsTask() : null;
        await using Stream detached = await ws.DetachAsync().Within();
        if (pending is not null)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
            await lb.RemoteStream.WriteAsync(residual);
        }

        await Task.Delay(1000); // ten timeouts: a keep-alive still running would abort here
        Assert.True(ws.IsDetached);
        Assert.Equal(residual, await Bounded.ReadExactlyAsync(detached, residual.Length));
        byte[] later = Frames.RandomBytes(4000);
        await lb.RemoteStream.WriteAsync(later);
        Assert.Equal(later, await Bounded.ReadExactlyAsync(detached, later.Length));
        byte[] back = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(100));
        await detached.WriteAsync(back);
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x89);
        Assert.Equal(back, rest);
        Assert.All(frames, f => Assert.Equal(Frames.Ping, f.Opcode));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAndDetachAsync_of_a_large_message_to_a_slow_reader_outlasting_KeepAliveTimeout_hands_off_or_fails_clearly(bool isServer)
    {
        // The final message takes far longer to go out than the keep-alive timeout, and nobody receives the pongs.
        using Loopback lb = await Loopback.CreateAsync();
        lb.Local.SendBufferSize = 64 * 1024;
        lb.Remote.ReceiveBufferSize = 64 * 1024;
        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions
        {
            IsServer = isServer,
            KeepAliveInterval = TimeSpan.FromMilliseconds(20),
            KeepAliveTimeout = TimeSpan.FromMilliseconds(40),
        });
        byte[] final = Frames.RandomBytes(1024 * 1024);
        Task<(System.Collections.Generic.List<Frames.Frame> Frames, byte[] Raw)> peer = Task.Run(async () =>
        {
            var slow = new SlowStream(lb.RemoteStream);
            var frames = await Frames.ReadUntilFinalAsync(slow);
            return (frames, await Bounded.ReadToEndAsync(lb.RemoteStream));
        });

        Stream detached;
        try
        {
            detached = await ws.SendAndDetachAsync(final, WebSocketMessageType.Binary).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException)
        {
            // A clear failure: then the connection was closed, nothing was handed off.
            Assert.False(ws.IsDetached);
            await Assert.ThrowsAnyAsync<Exception>(() => peer.WaitAsync(TimeSpan.FromSeconds(60)));
            return;
        }

        byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(100));
        await detached.WriteAsync(raw);
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, after) = await peer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(final, frames[^1].Payload);
        Assert.All(frames.GetRange(0, frames.Count - 1), f => Assert.Equal(Frames.Ping, f.Opcode));
        Assert.Equal(raw, after);
        await detached.DisposeAsync();
    }

    /// <summary>Reads at most 8 KiB at a time, with a pause every few reads (a megabyte takes well over the keep-alive timeout).</summary>
    private sealed class SlowStream : DelegatingStream
    {
        private int _reads;

        public SlowStream(Stream inner)
            : base(inner)
        {
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (++_reads % 4 == 0)
            {
                await Task.Delay(5, cancellationToken);
            }

            return await Inner.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, 8192)), cancellationToken);
        }
    }
}
