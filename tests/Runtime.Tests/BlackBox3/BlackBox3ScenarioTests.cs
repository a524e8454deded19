using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.BlackBox;
using WebSocketHandoff.Tests.Infrastructure;
using WebSocketHandoff.Tests.Review;

namespace WebSocketHandoff.Tests.BlackBox3;

/// <summary>A peer-side stream that, once armed, appends bytes to its next write (one TCP write for the frame and them).</summary>
internal sealed class SuffixNextWriteStream : DelegatingStream
{
    private byte[]? _suffix;

    public SuffixNextWriteStream(Stream inner)
        : base(inner)
    {
    }

    public void AppendToNextWrite(byte[] suffix) => Volatile.Write(ref _suffix, suffix);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        byte[]? suffix = Interlocked.Exchange(ref _suffix, null);
        return suffix is null
            ? Inner.WriteAsync(buffer, cancellationToken)
            : Inner.WriteAsync(Frames.Concat(buffer.ToArray(), suffix), cancellationToken);
    }
}

/// <summary>Handoff scenarios not covered by the earlier black-box rounds (G1-G5), each checked to the byte.</summary>
public sealed class BlackBox3ScenarioTests
{
    private const string DetachedReadMessage =
        "The WebSocket was detached while this ReceiveAsync was pending. No byte after the handoff point was consumed: read them from the stream that the detach returned.";

    private const string AbortedDuringDetachMessage =
        "The WebSocket was aborted or disposed during the detach: its connection was closed and nothing was handed off.";

    private static void AssertMessage(WebSocketMessageType type, byte[] payload, (WebSocketMessageType Type, byte[] Payload) actual)
    {
        Assert.Equal(type, actual.Type);
        Assert.Equal(payload, actual.Payload);
    }

    /// <summary>Reads everything the local side wrote until it shut its side down.</summary>
    private static async Task<byte[]> WireAfterShutdownAsync(Loopback lb, Stream detached, byte[] raw)
    {
        await detached.WriteAsync(raw);
        await detached.FlushAsync();
        lb.Local.Shutdown(SocketShutdown.Send);
        return await Bounded.ReadToEndAsync(lb.RemoteStream);
    }

    // ---- The final message of SendAndDetachAsync at each length encoding ----

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 0)]
    [InlineData(true, 125)]
    [InlineData(false, 125)]
    [InlineData(true, 126)]
    [InlineData(false, 126)]
    [InlineData(true, 127)]
    [InlineData(false, 127)]
    [InlineData(true, 65535)]
    [InlineData(false, 65535)]
    [InlineData(true, 65536)]
    [InlineData(false, 65536)]
    [InlineData(true, 200_000)]
    [InlineData(false, 200_000)]
    public async Task SendAndDetachAsync_final_message_has_the_exact_7_16_or_64_bit_header_and_payload_then_only_the_raw_bytes(bool isServer, int length)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        byte[] final = Frames.RandomBytes(length);
        byte[] raw = Frames.RandomBytes(333);
        await Task.Delay(5); // let keep-alive fire before the handoff: pongs before the final frame are legitimate

        Task<byte[]> wire = Task.Run(() => Bounded.ReadToEndAsync(lb.RemoteStream));
        await using Stream detached = await ws.SendAndDetachAsync(final, WebSocketMessageType.Binary).Within();
        await detached.WriteAsync(raw);
        lb.Local.Shutdown(SocketShutdown.Send);
        byte[] bytes = Peers.SkipLeadingKeepAlive(await wire.Within());

        // FIN + Binary, the mask bit of the role, and the shortest length encoding (RFC 6455 §5.2).
        Assert.Equal(0x82, bytes[0]);
        Assert.Equal(!isServer, (bytes[1] & 0x80) != 0);
        int offset;
        if (length <= 125)
        {
            Assert.Equal(length, bytes[1] & 0x7F);
            offset = 2;
        }
        else if (length <= ushort.MaxValue)
        {
            Assert.Equal(126, bytes[1] & 0x7F);
            Assert.Equal(length, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2)));
            offset = 4;
        }
        else
        {
            Assert.Equal(127, bytes[1] & 0x7F);
            Assert.Equal((ulong)length, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(2)));
            offset = 10;
        }

        byte[] payload = bytes.AsSpan(offset + (isServer ? 0 : 4), length).ToArray();
        if (!isServer)
        {
            byte[] mask = bytes.AsSpan(offset, 4).ToArray();
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] ^= mask[i % 4];
            }

            offset += 4;
        }

        Assert.Equal(final, payload);
        Assert.Equal(raw, bytes.AsSpan(offset + length).ToArray());
    }

    // ---- permessage-deflate with the raw bytes in the same TCP write as the final compressed frame ----

    private static WebSocketCreationOptions Deflate(bool isServer, bool contextTakeover, TimeSpan keepAlive) => new()
    {
        IsServer = isServer,
        KeepAliveInterval = keepAlive,
        DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = contextTakeover, ServerContextTakeover = contextTakeover },
    };

    private static readonly byte[][] DeflateMessages =
    {
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the same words again and again; ", 300))),
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the same words again and again; ", 40)) + "second"),
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the same words again and again; ", 10)) + "final"),
    };

    [Theory]
    [InlineData(true, true, 4096)]
    [InlineData(false, true, 4096)]
    [InlineData(true, false, 4096)]
    [InlineData(false, false, 4096)]
    [InlineData(true, false, 1)]
    [InlineData(false, true, 7)]
    public async Task Deflate_final_compressed_frame_with_raw_bytes_in_the_same_TCP_write_then_DetachAsync_returns_exactly_the_raw_bytes(bool isServer, bool contextTakeover, int chunk)
    {
        using Loopback lb = await Loopback.CreateAsync();
        var peerStream = new SuffixNextWriteStream(lb.RemoteStream);
        using WebSocket peer = WebSocket.CreateFromStream(peerStream, Deflate(!isServer, contextTakeover, TimeSpan.Zero));
        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, Deflate(isServer, contextTakeover, TimeSpan.FromMilliseconds(1)));
        byte[] raw = Frames.Concat(new byte[] { 0xC1, 0x7F }, Frames.RandomBytes(5000)); // looks like a compressed frame header

        await peer.SendAsync(DeflateMessages[0], WebSocketMessageType.Text, true, Bounded.Token()).Within();
        await peer.SendAsync(DeflateMessages[1], WebSocketMessageType.Binary, true, Bounded.Token()).Within();
        peerStream.AppendToNextWrite(raw);
        await peer.SendAsync(DeflateMessages[2], WebSocketMessageType.Text, true, Bounded.Token()).Within();

        AssertMessage(WebSocketMessageType.Text, DeflateMessages[0], await Peers.ReceiveMessageAsync(ws, chunk));
        AssertMessage(WebSocketMessageType.Binary, DeflateMessages[1], await Peers.ReceiveMessageAsync(ws, chunk));
        AssertMessage(WebSocketMessageType.Text, DeflateMessages[2], await Peers.ReceiveMessageAsync(ws, chunk));
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));

        // And the way back is raw too: the peer's stream carries exactly what the detached stream writes, after the pongs.
        byte[] back = Frames.RandomBytes(100);
        await detached.WriteAsync(back);
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Equal(back, Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream)));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task Deflate_SendAndDetachAsync_after_compressed_messages_is_the_last_frame_and_the_peer_inflates_it_then_reads_the_raw_bytes(bool isServer, bool contextTakeover)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, Deflate(isServer, contextTakeover, TimeSpan.FromMilliseconds(1)));
        using HandoffWebSocket peer = HandoffWebSocket.CreateFromStream(lb.RemoteStream, Deflate(!isServer, contextTakeover, TimeSpan.Zero));
        await ws.SendAsync(DeflateMessages[0], WebSocketMessageType.Text, true, Bounded.Token()).Within();
        await ws.SendAsync(DeflateMessages[1], WebSocketMessageType.Text, true, Bounded.Token()).Within();
        await using Stream detached = await ws.SendAndDetachAsync(DeflateMessages[2], WebSocketMessageType.Binary).Within();
        byte[] raw = Frames.RandomBytes(3000);
        await detached.WriteAsync(raw);

        AssertMessage(WebSocketMessageType.Text, DeflateMessages[0], await Peers.ReceiveMessageAsync(peer));
        AssertMessage(WebSocketMessageType.Text, DeflateMessages[1], await Peers.ReceiveMessageAsync(peer));
        AssertMessage(WebSocketMessageType.Binary, DeflateMessages[2], await Peers.ReceiveMessageAsync(peer));
        await using Stream peerRaw = await peer.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(peerRaw, raw.Length));
    }

    // ---- The peer's Close in the same write as the final message ----

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Final_message_close_frame_and_raw_bytes_in_one_write_received_through_the_close_then_detached_loses_nothing_and_writes_no_close(bool isServer, bool sendFinal)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        byte[] closePayload = Frames.Concat(new byte[] { 0x03, 0xE8 }, "bye"u8.ToArray());
        byte[] raw = Frames.RandomBytes(2500);
        await lb.RemoteStream.WriteAsync(Frames.Concat(
            Frames.Build(Frames.Text, "last"u8, masked: isServer),
            Frames.Build(Frames.Close, closePayload, masked: isServer),
            raw));

        AssertMessage(WebSocketMessageType.Text, "last"u8.ToArray(), await Peers.ReceiveMessageAsync(ws));
        WebSocketReceiveResult close = await ws.ReceiveAsync(new ArraySegment<byte>(new byte[16]), Bounded.Token()).Within();
        Assert.Equal(
            (WebSocketMessageType.Close, (WebSocketCloseStatus?)WebSocketCloseStatus.NormalClosure, (string?)"bye", WebSocketState.CloseReceived),
            (close.MessageType, close.CloseStatus, close.CloseStatusDescription, ws.State));

        Stream detached = sendFinal
            ? await ws.SendAndDetachAsync("answer"u8.ToArray(), WebSocketMessageType.Text).Within()
            : await ws.DetachAsync().Within();
        await using (detached)
        {
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
            byte[] marker = "raw-from-local"u8.ToArray();
            byte[] wire = Peers.SkipLeadingKeepAlive(await WireAfterShutdownAsync(lb, detached, marker));

            // No close answer: the final message (if any), then the raw bytes.
            int offset = 0;
            if (sendFinal)
            {
                Frames.Frame frame = Frames.Parse(wire, ref offset);
                Assert.Equal((true, Frames.Text, !isServer, "answer"), (frame.Fin, frame.Opcode, frame.Masked, Encoding.ASCII.GetString(frame.Payload)));
            }

            Assert.Equal(marker, wire.AsSpan(offset).ToArray());
        }
    }

    // ---- Two detaches at once ----

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Two_detaches_started_at_once_hand_off_once_the_loser_fails_with_InvalidOperationException_and_only_the_winners_frame_is_on_the_wire(bool firstSends, bool secondSends)
    {
        const string detaching = "A detach is in progress on this WebSocket: no further WebSocket operation can start. Use the stream that the detach returns.";
        const string detached = "The WebSocket was detached: its transport now belongs to the stream that the detach returned. Use that stream for I/O.";
        for (int i = 0; i < 30; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
            byte[] raw = Frames.RandomBytes(50 + i);
            await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, new byte[] { 9 }, masked: true), raw));
            await Peers.ReceiveMessageAsync(ws);

            using var start = new Barrier(2);
            Func<bool, string, Task<Stream>> detach = (sends, name) => Task.Run(() =>
            {
                start.SignalAndWait();
                return sends
                    ? ws.SendAndDetachAsync(Encoding.ASCII.GetBytes(name), WebSocketMessageType.Text).AsTask()
                    : ws.DetachAsync().AsTask();
            });
            Task<Stream> a = detach(firstSends, "A");
            Task<Stream> b = detach(secondSends, "B");
            await Task.WhenAny(Task.WhenAll(a, b), Task.Delay(Bounded.Limit));
            Assert.True(a.IsCompleted && b.IsCompleted);
            Task<Stream> winner = Assert.Single(new[] { a, b }, t => t.IsCompletedSuccessfully);
            Task<Stream> loser = winner == a ? b : a;
            var error = Assert.IsType<InvalidOperationException>(loser.Exception!.InnerException);
            Assert.Contains(error.Message, new[] { detaching, detached });

            await using Stream stream = await winner;
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(stream, raw.Length));
            byte[] wire = await WireAfterShutdownAsync(lb, stream, "M"u8.ToArray());
            bool winnerSent = winner == a ? firstSends : secondSends;
            int offset = 0;
            if (winnerSent)
            {
                Frames.Frame frame = Frames.Parse(wire, ref offset);
                Assert.Equal(winner == a ? "A" : "B", Encoding.ASCII.GetString(frame.Payload));
            }

            Assert.Equal("M"u8.ToArray(), wire.AsSpan(offset).ToArray());
        }
    }

    // ---- Synchronous Detach while a receive is pending ----

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Synchronous_Detach_with_a_ReceiveAsync_pending_fails_the_receive_saying_detached_and_every_later_byte_is_in_the_stream(bool isServer, bool arraySegment)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Text, "hello"u8, masked: isServer));
        AssertMessage(WebSocketMessageType.Text, "hello"u8.ToArray(), await Peers.ReceiveMessageAsync(ws));

        var buffer = new byte[64];
        Task pending = arraySegment
            ? ws.ReceiveAsync(new ArraySegment<byte>(buffer), Bounded.Token())
            : ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token()).AsTask();
        await Task.Delay(20);
        Assert.False(pending.IsCompleted);

        Stream detached = await Task.Run(() => ws.Detach()).Within();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        Assert.Equal(DetachedReadMessage, error.Message);

        // Bytes that look like a frame are raw now: the dead receive took none of them.
        byte[] raw = Frames.Concat(Frames.Build(Frames.Binary, "not for the WebSocket"u8, masked: isServer), Frames.RandomBytes(700));
        await lb.RemoteStream.WriteAsync(raw);
        await using (detached)
        {
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
            Assert.Equal("M"u8.ToArray(), Peers.SkipLeadingKeepAlive(await WireAfterShutdownAsync(lb, detached, "M"u8.ToArray())));
        }
    }

    // ---- Cancelled SendAndDetachAsync ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAndDetachAsync_with_a_cancelled_token_sends_nothing_and_a_later_SendAndDetachAsync_sends_its_message_last(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        ValueTask<Stream> cancelled = ws.SendAndDetachAsync("never"u8.ToArray(), WebSocketMessageType.Text, new CancellationToken(true));
        Assert.True(cancelled.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask());
        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.Open, ws.State);

        await ws.SendAsync("still attached"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token()).Within();
        await using Stream detached = await ws.SendAndDetachAsync("last"u8.ToArray(), WebSocketMessageType.Binary).Within();
        byte[] wire = await WireAfterShutdownAsync(lb, detached, "R"u8.ToArray());
        int offset = 0;
        Frames.Frame first = Frames.Parse(wire, ref offset);
        Frames.Frame second = Frames.Parse(wire, ref offset);
        Assert.Equal(
            ("still attached", Frames.Text, "last", Frames.Binary),
            (Encoding.ASCII.GetString(first.Payload), first.Opcode, Encoding.ASCII.GetString(second.Payload), second.Opcode));
        Assert.Equal("R"u8.ToArray(), wire.AsSpan(offset).ToArray());
    }

    // ---- A residual larger than the buffers, read in small pieces ----

    [Theory]
    [InlineData("ReadAsync", 5)]
    [InlineData("BeginRead", 3)]
    public async Task Residual_larger_than_the_helpers_buffer_read_in_small_pieces_is_exact_and_continues_into_the_transport(string api, int size)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);

        // The final frame and 12,000 raw bytes in one write: more than the helper reads at once, so the residual is the
        // buffered part and the rest waits in the socket.
        byte[] raw = Frames.RandomBytes(12_000);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "switch"u8), raw.AsSpan(0, 8000).ToArray()));
        AssertMessage(WebSocketMessageType.Text, "switch"u8.ToArray(), await Peers.ReceiveMessageAsync(ws, chunk: 3));
        Stream detached = await ws.DetachAsync().Within();
        Task later = Task.Run(async () =>
        {
            await lb.RemoteStream.WriteAsync(raw.AsMemory(8000));
            lb.Remote.Shutdown(SocketShutdown.Send);
        });

        using var got = new MemoryStream();
        var buffer = new byte[size + 2];
        int reads = 0;
        while (true)
        {
            int n = api == "ReadAsync"
                ? await detached.ReadAsync(buffer.AsMemory(1, size), Bounded.Token())
                : await Task.Factory.FromAsync(detached.BeginRead, detached.EndRead, buffer, 1, size, null);
            if (n == 0)
            {
                break;
            }

            Assert.InRange(n, 1, size);
            got.Write(buffer, 1, n);
            reads++;
        }

        await later.Within();
        Assert.Equal(raw, got.ToArray());
        Assert.True(reads >= raw.Length / size);
        await detached.DisposeAsync();
    }

    // ---- TLS: the final frame and raw bytes in one TLS record ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TLS_record_holding_the_final_frame_and_raw_bytes_then_DetachAsync_returns_exactly_the_raw_bytes(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        (SslStream local, SslStream remote) = await ReviewHelpers.TlsAsync(lb);
        using HandoffWebSocket ws = Peers.Handoff(local, isServer, TimeSpan.FromMilliseconds(1));
        byte[] raw = Frames.Concat(new byte[] { 0x16, 0x03, 0x01 }, Frames.RandomBytes(6000));

        // One write of less than 16 KiB: one TLS record holds the previous message's end, the final frame and the raw bytes.
        await remote.WriteAsync(Frames.Concat(
            Frames.Build(Frames.Binary, Frames.RandomBytes(300), masked: isServer),
            Frames.Build(Frames.Text, "final"u8, masked: isServer),
            raw));
        await remote.FlushAsync();
        Assert.Equal(300, (await Peers.ReceiveMessageAsync(ws)).Payload.Length);
        AssertMessage(WebSocketMessageType.Text, "final"u8.ToArray(), await Peers.ReceiveMessageAsync(ws, chunk: 2));
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));

        // And back: the peer reads whole pongs at most, then exactly the raw answer.
        byte[] back = Frames.RandomBytes(1000);
        await detached.WriteAsync(back);
        await detached.FlushAsync();
        var received = new byte[0];
        while (Peers.SkipLeadingKeepAlive(received).Length < back.Length)
        {
            var chunk = new byte[4096];
            int n = await remote.ReadAsync(chunk, Bounded.Token());
            Assert.NotEqual(0, n);
            received = Frames.Concat(received, chunk.AsSpan(0, n).ToArray());
        }

        Assert.Equal(back, Peers.SkipLeadingKeepAlive(received));
    }

    [Fact]
    public async Task TLS_SendAndDetachAsync_final_frame_and_the_first_raw_write_reach_a_detaching_TLS_peer_exactly()
    {
        using Loopback lb = await Loopback.CreateAsync();
        (SslStream local, SslStream remote) = await ReviewHelpers.TlsAsync(lb);
        using HandoffWebSocket ws = Peers.Handoff(local, isServer: true, TimeSpan.FromMilliseconds(1));
        using HandoffWebSocket peer = Peers.Handoff(remote, isServer: false);
        byte[] raw = Frames.RandomBytes(20_000); // more than one TLS record
        await using Stream detached = await ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Text).Within();
        await detached.WriteAsync(raw);
        await detached.FlushAsync();

        AssertMessage(WebSocketMessageType.Text, "final"u8.ToArray(), await Peers.ReceiveMessageAsync(peer));
        await using Stream peerRaw = await peer.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(peerRaw, raw.Length));
    }

    // ---- One byte per ReceiveAsync through 16- and 64-bit lengths ----

    [Theory]
    [InlineData(true, 126)]
    [InlineData(false, 126)]
    [InlineData(true, 65536)]
    [InlineData(false, 65536)]
    public async Task Message_received_one_byte_per_ArraySegment_ReceiveAsync_then_detach_returns_the_raw_bytes_that_came_with_it(bool isServer, int length)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] message = Frames.RandomBytes(length);
        byte[] raw = Frames.RandomBytes(1500);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, message, masked: isServer), raw));

        var one = new byte[1];
        using var got = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result = await ws.ReceiveAsync(new ArraySegment<byte>(one), Bounded.Token());
            Assert.Equal(1, result.Count);
            got.WriteByte(one[0]);
            if (result.EndOfMessage)
            {
                break;
            }

            // Inside the message, a detach is refused and changes nothing.
            if (got.Length == 1)
            {
                await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
            }
        }

        Assert.Equal(message, got.ToArray());
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    // ---- The owner's Abort/Dispose during SendAndDetachAsync: the owner's error, exactly ----

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Abort_or_Dispose_during_SendAndDetachAsync_fails_it_with_exactly_the_owners_WebSocketException(bool abort, bool duringFinalSend)
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        HandoffWebSocket ws = Peers.Handoff(holding, isServer: true);
        Task? send = null;
        holding.HoldNextWrite();
        if (!duringFinalSend)
        {
            // The detach waits for this application send.
            send = ws.SendAsync("before"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
            await holding.WriteHeld.Within();
        }

        Task<Stream> detach = ws.SendAndDetachAsync(new byte[3000], WebSocketMessageType.Binary).AsTask();
        if (duringFinalSend)
        {
            await holding.WriteHeld.Within();
        }

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
        if (send is not null)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => send.Within());
        }

        var error = await Assert.ThrowsAsync<WebSocketException>(() => detach.Within());
        Assert.Equal(AbortedDuringDetachMessage, error.Message);
        Assert.Equal(WebSocketError.InvalidState, error.WebSocketErrorCode);
        Assert.False(ws.IsDetached);
        Assert.Equal(abort ? WebSocketState.Aborted : WebSocketState.Closed, ws.State);
        ws.Dispose();
    }
}
