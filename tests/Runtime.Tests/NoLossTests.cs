using System;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>G1: the detached stream yields exactly the bytes sent after the last consumed frame, whatever the segmentation.</summary>
public sealed class NoLossTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_returns_bytes_that_arrived_with_the_final_frame(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] raw = Frames.RandomBytes(23);

        // Client frames are masked, server frames are not: the peer plays the other role.
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "final"u8, masked: isServer), raw));

        var (type, payload) = await Peers.ReceiveMessageAsync(ws);
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("final", Encoding.UTF8.GetString(payload));

        await using var detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        Assert.True(ws.IsDetached);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_returns_raw_bytes_for_every_split_of_the_final_frame(bool isServer)
    {
        byte[] raw = Frames.RandomBytes(40);
        byte[] message = Frames.RandomBytes(10);
        byte[] final = Frames.Build(Frames.Binary, message, masked: isServer);
        byte[] wire = Frames.Concat(final, raw);
        for (int split = 1; split < wire.Length; split++)
        {
            // The socket carries the bytes; the segmenting layer makes each transport read end exactly at the split.
            using Loopback lb = await Loopback.CreateAsync();
            var segmented = new SegmentingStream(lb.LocalStream, split, wire.Length - split);
            using HandoffWebSocket ws = Peers.Handoff(segmented, isServer);
            await lb.RemoteStream.WriteAsync(wire);

            var (_, payload) = await Peers.ReceiveMessageAsync(ws);
            Assert.Equal(message, payload);
            await using var detached = await ws.DetachAsync().Within();
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(200_000)]
    public async Task Detach_after_messages_of_7_16_and_64_bit_lengths_loses_nothing(int length)
    {
        foreach (bool isServer in new[] { true, false })
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
            byte[] message = Frames.RandomBytes(length);
            byte[] raw = Frames.RandomBytes(1000);
            Task write = lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, message, masked: isServer), raw)).AsTask();

            var (_, payload) = await Peers.ReceiveMessageAsync(ws, chunk: 1000);
            Assert.Equal(message, payload);
            await using var detached = await ws.DetachAsync().Within();
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
            await write;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_after_a_fragmented_message_with_pings_between_fragments_loses_nothing(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] raw = Frames.RandomBytes(300);
        byte[] wire = Frames.Concat(
            Frames.Build(Frames.Text, "he"u8, fin: false, masked: isServer),
            Frames.Build(Frames.Ping, "p1"u8, masked: isServer),
            Frames.Build(Frames.Continuation, "ll"u8, fin: false, masked: isServer),
            Frames.Build(Frames.Ping, Array.Empty<byte>(), masked: isServer),
            Frames.Build(Frames.Continuation, "o"u8, fin: true, masked: isServer),
            raw);
        await lb.RemoteStream.WriteAsync(wire);

        var (_, payload) = await Peers.ReceiveMessageAsync(ws);
        Assert.Equal("hello", Encoding.UTF8.GetString(payload));
        await using var detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));

        // The two pongs were written before the handoff point; nothing follows them.
        Frames.Frame pong1 = await Frames.ReadAsync(lb.RemoteStream);
        Frames.Frame pong2 = await Frames.ReadAsync(lb.RemoteStream);
        Assert.Equal((Frames.Pong, "p1"), (pong1.Opcode, Encoding.UTF8.GetString(pong1.Payload)));
        Assert.Equal(Frames.Pong, pong2.Opcode);
        await detached.WriteAsync("after"u8.ToArray());
        lb.Local.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        Assert.Equal("after"u8.ToArray(), await Bounded.ReadToEndAsync(lb.RemoteStream));
    }

    [Fact]
    public async Task Detach_returns_a_following_ping_and_frames_the_application_never_received()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] after = Frames.Concat(Frames.Build(Frames.Ping, "x"u8, masked: true), Frames.Build(Frames.Text, "next"u8, masked: true), "raw"u8.ToArray());
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "last"u8, masked: true), after));

        await Peers.ReceiveMessageAsync(ws);
        await using var detached = await ws.DetachAsync().Within();
        Assert.Equal(after, await Bounded.ReadExactlyAsync(detached, after.Length));
    }

    [Fact]
    public async Task Detach_synchronous_form_returns_the_bytes_after_the_final_frame()
    {
        await Task.Run(async () =>
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
            await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "bye"u8), "RAW"u8.ToArray()));
            await Peers.ReceiveMessageAsync(ws);
            using var detached = ws.Detach();
            var buffer = new byte[3];
            detached.ReadExactly(buffer);
            Assert.Equal("RAW"u8.ToArray(), buffer);
        }).Within();
    }
}
