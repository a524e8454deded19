using System;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>Review of G1 (no loss) in scenarios beyond the author's tests.</summary>
public sealed class ReviewNoLossTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Zero_length_final_message_coalesced_with_raw_bytes_loses_nothing(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] raw = Frames.RandomBytes(77);
        await lb.RemoteStream.WriteAsync(Frames.Concat(
            Frames.Build(Frames.Text, "a"u8, masked: isServer),
            Frames.Build(Frames.Binary, ReadOnlySpan<byte>.Empty, masked: isServer),
            raw));

        Assert.Equal("a", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
        var (type, payload) = await Peers.ReceiveMessageAsync(ws);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Empty(payload);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 7)]
    [InlineData(false, 130)]
    public async Task Message_larger_than_the_receive_buffer_then_detach_loses_nothing(bool isServer, int chunk)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] message = Frames.RandomBytes(3000);
        byte[] raw = Frames.RandomBytes(500);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, message, masked: isServer), raw));

        var (_, payload) = await ReviewHelpers.ReceiveMessageSegmentsAsync(ws, chunk);
        Assert.Equal(message, payload);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Final_message_in_many_fragments_with_pings_and_pongs_between_over_random_segmentation_loses_nothing(bool isServer)
    {
        for (int seed = 0; seed < 30; seed++)
        {
            var random = new Random(seed);
            using Loopback lb = await Loopback.CreateAsync();
            var segmented = new RandomSegmentingStream(lb.LocalStream, seed);
            using HandoffWebSocket ws = Peers.Handoff(segmented, isServer);
            using var wire = new MemoryStream();
            using var expected = new MemoryStream();
            int fragments = random.Next(2, 12);
            int pings = 0;
            for (int f = 0; f < fragments; f++)
            {
                byte[] part = Frames.RandomBytes(random.Next(0, 300), random);
                expected.Write(part);
                wire.Write(Frames.Build(f == 0 ? Frames.Binary : Frames.Continuation, part, fin: f == fragments - 1, masked: isServer));
                if (f < fragments - 1 && random.Next(2) == 0)
                {
                    wire.Write(Frames.Build(random.Next(2) == 0 ? Frames.Ping : Frames.Pong, Frames.RandomBytes(random.Next(0, 126), random), masked: isServer));
                    pings++;
                }
            }

            byte[] raw = Frames.RandomBytes(random.Next(1, 2000), random);
            wire.Write(raw);
            await lb.RemoteStream.WriteAsync(wire.ToArray());

            var (_, payload) = await Peers.ReceiveMessageAsync(ws, chunk: random.Next(1, 200));
            Assert.Equal(expected.ToArray(), payload);
            await using Stream detached = await ws.DetachAsync().Within();
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Raw_bytes_arriving_after_detach_is_called_in_odd_pieces_are_all_returned(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] final = Frames.Build(Frames.Text, "last"u8, masked: isServer);
        await lb.RemoteStream.WriteAsync(final.AsMemory(0, 3));
        Task<(WebSocketMessageType, byte[])> receive = Peers.ReceiveMessageAsync(ws);
        await Task.Delay(20);
        byte[] raw = Frames.RandomBytes(1000);
        await lb.RemoteStream.WriteAsync(Frames.Concat(final.AsSpan(3).ToArray(), raw.AsSpan(0, 1).ToArray()));
        await receive.Within();
        await using Stream detached = await ws.DetachAsync().Within();
        Task<byte[]> read = Bounded.ReadExactlyAsync(detached, raw.Length);
        for (int i = 1; i < raw.Length; i += 333)
        {
            await Task.Delay(5);
            await lb.RemoteStream.WriteAsync(raw.AsMemory(i, Math.Min(333, raw.Length - i)));
        }

        Assert.Equal(raw, await read.Within());
    }

    [Fact]
    public async Task Close_frame_received_before_detach_then_raw_bytes_are_returned_and_no_close_is_sent()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] close = Frames.Build(Frames.Close, new byte[] { 0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e' }, masked: true);
        byte[] raw = Frames.RandomBytes(200);
        await lb.RemoteStream.WriteAsync(Frames.Concat(close, raw));

        WebSocketReceiveResult result = await ws.ReceiveAsync(new ArraySegment<byte>(new byte[100]), Bounded.Token()).Within();
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketState.CloseReceived, ws.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal("bye", ws.CloseStatusDescription);

        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        ws.Dispose();
        await detached.WriteAsync("x"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Equal("x"u8.ToArray(), await Bounded.ReadToEndAsync(lb.RemoteStream));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deflate_compressed_fragmented_messages_then_handoff_lose_nothing_both_ways(bool localIsServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        var options = (bool server) => new WebSocketCreationOptions
        {
            IsServer = server,
            KeepAliveInterval = TimeSpan.FromMilliseconds(1),
            DangerousDeflateOptions = new WebSocketDeflateOptions { ClientMaxWindowBits = 10, ServerMaxWindowBits = 11 },
        };
        using HandoffWebSocket local = HandoffWebSocket.CreateFromStream(lb.LocalStream, options(localIsServer));
        using HandoffWebSocket remote = HandoffWebSocket.CreateFromStream(lb.RemoteStream, options(!localIsServer));

        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 4000).Select(i => $"line {i % 37};")));
        // Fragmented compressed message, and one with compression disabled per message.
        await remote.SendAsync(text.AsMemory(0, 1000), WebSocketMessageType.Text, WebSocketMessageFlags.None, Bounded.Token());
        await remote.SendAsync(text.AsMemory(1000), WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, Bounded.Token());
        await remote.SendAsync(text, WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression, Bounded.Token());
        byte[] clientRaw = Frames.RandomBytes(10_000);
        Task<Stream> remoteDetach = remote.SendAndDetachAsync(text, WebSocketMessageType.Text).AsTask();

        Assert.Equal(text, (await Peers.ReceiveMessageAsync(local, chunk: 97)).Payload);
        Assert.Equal(text, (await Peers.ReceiveMessageAsync(local, chunk: 4096)).Payload);
        await using Stream remoteRaw = await remoteDetach.Within();
        await remoteRaw.WriteAsync(clientRaw);
        Assert.Equal(text, (await Peers.ReceiveMessageAsync(local, chunk: 13)).Payload);
        await using Stream localRaw = await local.DetachAsync().Within();
        Assert.Equal(clientRaw, await Bounded.ReadExactlyAsync(localRaw, clientRaw.Length));

        byte[] back = Frames.RandomBytes(5000);
        back[0] = 0;
        await localRaw.WriteAsync(back);
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Equal(back, Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(remoteRaw)));
    }

    [Fact]
    public async Task Deflate_detach_while_inflated_output_is_still_pending_throws_then_works_after_EndOfMessage()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket local = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions { IsServer = true, DangerousDeflateOptions = new() });
        using HandoffWebSocket remote = HandoffWebSocket.CreateFromStream(lb.RemoteStream, new WebSocketCreationOptions { IsServer = false, DangerousDeflateOptions = new() });
        byte[] zeros = new byte[200_000];
        await using Stream remoteRaw = await remote.SendAndDetachAsync(zeros, WebSocketMessageType.Binary).Within();
        await remoteRaw.WriteAsync("RAW!"u8.ToArray());

        var buffer = new byte[1000];
        ValueWebSocketReceiveResult first = await local.ReceiveAsync(buffer.AsMemory(), Bounded.Token()).AsTask().Within();
        Assert.False(first.EndOfMessage);
        await Assert.ThrowsAsync<InvalidOperationException>(() => local.DetachAsync().AsTask());
        int total = first.Count;
        while (true)
        {
            ValueWebSocketReceiveResult r = await local.ReceiveAsync(buffer.AsMemory(), Bounded.Token()).AsTask().Within();
            Assert.True(buffer.AsSpan(0, r.Count).IndexOfAnyExcept((byte)0) < 0);
            total += r.Count;
            if (r.EndOfMessage)
            {
                break;
            }
        }

        Assert.Equal(zeros.Length, total);
        await using Stream localRaw = await local.DetachAsync().Within();
        Assert.Equal("RAW!"u8.ToArray(), await Bounded.ReadExactlyAsync(localRaw, 4));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Handoff_over_TLS_with_fragments_pings_small_buffers_and_coalesced_raw_bytes_loses_nothing(bool localIsServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        var (localTls, remoteTls) = await ReviewHelpers.TlsAsync(lb);
        using HandoffWebSocket ws = Peers.Handoff(localTls, localIsServer, TimeSpan.FromMilliseconds(1));
        bool mask = localIsServer;
        byte[] raw = Frames.RandomBytes(50_000);
        byte[] wire = Frames.Concat(
            Frames.Build(Frames.Text, "fi"u8, fin: false, masked: mask),
            Frames.Build(Frames.Ping, "hello"u8, masked: mask),
            Frames.Build(Frames.Continuation, "rs"u8, fin: false, masked: mask),
            Frames.Build(Frames.Pong, "unsolicited"u8, masked: mask),
            Frames.Build(Frames.Continuation, "t"u8, fin: true, masked: mask),
            Frames.Build(Frames.Binary, new byte[70_000], masked: mask),
            raw);
        // One TLS write: everything arrives in as few records as possible, raw bytes coalesced with the final frame.
        Task write = remoteTls.WriteAsync(wire).AsTask();
        Assert.Equal("first", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws, chunk: 1)).Payload));
        Assert.Equal(70_000, (await Peers.ReceiveMessageAsync(ws, chunk: 333)).Payload.Length);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        await write.Within();

        byte[] back = Frames.RandomBytes(30_000);
        back[0] = 0;
        await detached.WriteAsync(back);
        await localTls.ShutdownAsync();
        byte[] all = await Bounded.ReadToEndAsync(remoteTls);
        // Before the raw bytes: the pong answering "hello" and keep-alive pongs, all whole frames.
        int offset = 0;
        while (offset < all.Length && all[offset] == 0x8A)
        {
            Frames.Parse(all, ref offset);
        }

        Assert.Equal(back, all.AsSpan(offset).ToArray());
    }

    [Fact]
    public async Task Peer_half_close_right_after_the_raw_bytes_yields_them_then_end_of_stream()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] raw = Frames.RandomBytes(321);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "go"u8, masked: true), raw));
        lb.Remote.Shutdown(SocketShutdown.Send);
        await Peers.ReceiveMessageAsync(ws);
        await Task.Delay(20);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadToEndAsync(detached));
    }
}
