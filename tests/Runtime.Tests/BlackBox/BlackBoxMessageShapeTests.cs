using System;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>Shapes of the last message before a handoff: compressed, split UTF-8, empty (G1, G3).</summary>
public sealed class BlackBoxMessageShapeTests
{
    private static WebSocketCreationOptions Deflate(bool isServer, TimeSpan keepAlive) => new()
    {
        IsServer = isServer,
        KeepAliveInterval = keepAlive,
        DangerousDeflateOptions = new WebSocketDeflateOptions(),
    };

    /// <summary>The frames a BCL WebSocket writes for the given messages, captured instead of sent.</summary>
    private static async Task<byte[]> BclFramesAsync(WebSocketCreationOptions options, params (byte[] Payload, WebSocketMessageType Type, bool End)[] sends)
    {
        var capture = new CaptureStream();
        using WebSocket bcl = WebSocket.CreateFromStream(capture, options);
        foreach (var (payload, type, end) in sends)
        {
            await bcl.SendAsync(payload, type, end, CancellationToken.None);
        }

        return capture.Written.ToArray();
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 4096)]
    [InlineData(false, 100_000)]
    public async Task Compressed_messages_with_context_takeover_and_raw_bytes_in_one_write_then_DetachAsync_loses_nothing(bool isServer, int chunk)
    {
        using Loopback lb = await Loopback.CreateAsync();
        byte[] first = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compress me please; ", 500)));
        byte[] last = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compress me please; ", 20)) + "the end");
        byte[] frames = await BclFramesAsync(Deflate(!isServer, TimeSpan.Zero),
            (first.AsSpan(0, 3000).ToArray(), WebSocketMessageType.Text, false),
            (first.AsSpan(3000).ToArray(), WebSocketMessageType.Text, true),
            (last, WebSocketMessageType.Binary, true));
        Assert.True(frames.Length < first.Length / 4, "the peer's messages were not compressed");
        byte[] raw = Frames.RandomBytes(20_000);
        await lb.RemoteStream.WriteAsync(Frames.Concat(frames, raw));

        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, Deflate(isServer, TimeSpan.FromMilliseconds(1)));
        Assert.Equal(first, (await Peers.ReceiveMessageAsync(ws, chunk)).Payload);
        (WebSocketMessageType type, byte[] payload) = await Peers.ReceiveMessageAsync(ws, chunk);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(last, payload);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAndDetachAsync_of_a_1_MiB_compressed_message_to_a_slow_reader_with_keep_alive_every_millisecond_is_last_on_the_wire(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        lb.Local.SendBufferSize = 8192;
        lb.Remote.ReceiveBufferSize = 8192;
        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, Deflate(isServer, TimeSpan.FromMilliseconds(1)));
        // Half compressible, half not: the compressed frame is still about half a megabyte.
        byte[] final = Frames.Concat(new byte[512 * 1024], Frames.RandomBytes(512 * 1024));
        byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(1000));

        // The peer reads slowly through a HandoffWebSocket of its own (keep-alive off) and detaches after the message.
        Task<(byte[] Message, byte[] Raw)> peer = Task.Run(async () =>
        {
            using HandoffWebSocket remote = HandoffWebSocket.CreateFromStream(new SlowReadStream(lb.RemoteStream), Deflate(!isServer, TimeSpan.Zero));
            byte[] message = (await Peers.ReceiveMessageAsync(remote, chunk: 16 * 1024)).Payload;
            Stream remoteRaw = await remote.DetachAsync();
            return (message, await Bounded.ReadToEndAsync(remoteRaw));
        });

        await Task.Delay(10);
        await using Stream detached = await ws.SendAndDetachAsync(final, WebSocketMessageType.Binary).Within();
        await detached.WriteAsync(raw);
        lb.Local.Shutdown(SocketShutdown.Send);
        (byte[] message, byte[] after) = await peer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(final, message);
        Assert.Equal(raw, after);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Text_message_with_UTF8_characters_split_across_fragments_received_byte_by_byte_then_detach_loses_nothing(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        byte[] text = Encoding.UTF8.GetBytes("h\u00e9llo w\u00f6rld \u20ac \U0001F600 end");
        bool mask = isServer;
        // Cut inside the two-, three- and four-byte sequences.
        int[] cuts = { 2, 10, 15, 17, 19, text.Length };
        var parts = new System.Collections.Generic.List<byte[]>();
        int at = 0;
        for (int i = 0; i < cuts.Length; i++)
        {
            parts.Add(Frames.Build(i == 0 ? Frames.Text : Frames.Continuation, text.AsSpan(at, cuts[i] - at), fin: i == cuts.Length - 1, masked: mask));
            at = cuts[i];
        }

        byte[] raw = Frames.RandomBytes(333);
        parts.Add(raw);
        await lb.RemoteStream.WriteAsync(Frames.Concat(parts.ToArray()));

        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        (WebSocketMessageType type, byte[] payload) = await Review.ReviewHelpers.ReceiveMessageSegmentsAsync(ws, chunk: 1);
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal(text, payload);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    [Theory]
    [InlineData(true, WebSocketMessageType.Binary)]
    [InlineData(false, WebSocketMessageType.Text)]
    public async Task SendAndDetachAsync_of_an_empty_final_message_delivers_an_empty_message_then_raw_bytes(bool isServer, WebSocketMessageType messageType)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        using HandoffWebSocket remote = Peers.Handoff(lb.RemoteStream, !isServer);
        Task<(WebSocketMessageType, byte[])> receive = Peers.ReceiveMessageAsync(remote);
        await Task.Delay(5);
        await using Stream detached = await ws.SendAndDetachAsync(ReadOnlyMemory<byte>.Empty, messageType).Within();
        byte[] raw = Frames.RandomBytes(100);
        await detached.WriteAsync(raw);
        (WebSocketMessageType type, byte[] payload) = await receive.Within();
        Assert.Equal(messageType, type);
        Assert.Empty(payload);
        await using Stream remoteRaw = await remote.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(remoteRaw, raw.Length));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Zero_byte_receive_pending_at_the_detach_fails_saying_detached_and_the_raw_bytes_that_follow_are_all_returned(bool isServer)
    {
        // Memory-thrifty receive loops wait for data with a zero-byte ReceiveAsync before renting a buffer.
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Binary, new byte[] { 5, 6 }, masked: isServer));
        Assert.Equal(new byte[] { 5, 6 }, (await Peers.ReceiveMessageAsync(ws)).Payload);
        Task<ValueWebSocketReceiveResult> wait = ws.ReceiveAsync(Memory<byte>.Empty, Bounded.Token()).AsTask();
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        await using Stream detached = await ws.DetachAsync().Within();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => wait.Within());
        Assert.Contains("detached", error.Message);

        // A frame header first: a zero-byte receive that had read it would have consumed it.
        byte[] raw = Frames.Concat(Frames.Build(Frames.Text, "raw now"u8, masked: isServer), Frames.RandomBytes(500));
        await lb.RemoteStream.WriteAsync(raw);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    /// <summary>Records what a WebSocket writes; reads never complete.</summary>
    private sealed class CaptureStream : Stream
    {
        public MemoryStream Written { get; } = new();
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => new(Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => 0, TaskScheduler.Default));
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return default;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A reader that takes its time: every read waits a little and returns at most 4 KiB.</summary>
    private sealed class SlowReadStream : DelegatingStream
    {
        private int _reads;

        public SlowReadStream(Stream inner)
            : base(inner)
        {
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (++_reads % 8 == 0)
            {
                await Task.Delay(1, cancellationToken);
            }

            return await Inner.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, 4096)), cancellationToken);
        }
    }
}
