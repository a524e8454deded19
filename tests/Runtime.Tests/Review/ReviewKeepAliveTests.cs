using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>Review of G2/G3 on the wire, including ping-based keep-alive (KeepAliveTimeout).</summary>
public sealed class ReviewKeepAliveTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task SendAndDetach_of_1_MiB_is_the_last_frame_on_the_wire_then_only_raw_bytes(bool isServer, bool pingKeepAlive)
    {
        for (int i = 0; i < 5; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions
            {
                IsServer = isServer,
                KeepAliveInterval = TimeSpan.FromMilliseconds(1),
                KeepAliveTimeout = pingKeepAlive ? TimeSpan.FromSeconds(30) : System.Threading.Timeout.InfiniteTimeSpan,
            });
            byte[] final = Frames.RandomBytes(1024 * 1024);
            byte[] raw = Frames.RandomBytes(4096);
            Task<List<Frames.Frame>> read = Frames.ReadUntilFinalAsync(lb.RemoteStream);
            await ws.SendAsync("before"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
            await Task.Delay(i);
            await using Stream detached = await ws.SendAndDetachAsync(final, WebSocketMessageType.Binary).Within();
            await detached.WriteAsync(raw);
            lb.Local.Shutdown(SocketShutdown.Send);

            List<Frames.Frame> frames = await read.Within();
            Assert.Equal("before", Encoding.UTF8.GetString(frames[^1].Payload));
            List<Frames.Frame> second = await Frames.ReadUntilFinalAsync(lb.RemoteStream).Within();
            Frames.Frame last = second[^1];
            Assert.True(last.Fin);
            Assert.Equal(Frames.Binary, last.Opcode);
            Assert.Equal(!isServer, last.Masked);
            Assert.Equal(final, last.Payload);
            Assert.All(second.GetRange(0, second.Count - 1), f => Assert.True(f.Opcode is Frames.Ping or Frames.Pong));
            Assert.Equal(raw, await Bounded.ReadToEndAsync(lb.RemoteStream));
        }
    }

    [Fact]
    public async Task SendAndDetach_racing_a_large_send_in_flight_keeps_both_frames_whole_and_in_order()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true, TimeSpan.FromMilliseconds(1));
        byte[] big = Frames.RandomBytes(8 * 1024 * 1024);
        byte[] final = Frames.RandomBytes(1024 * 1024);
        Task send = ws.SendAsync(big, WebSocketMessageType.Binary, true, Bounded.Token());
        Task<Stream> detach = ws.SendAndDetachAsync(final, WebSocketMessageType.Binary).AsTask();
        Task<List<Frames.Frame>> first = Frames.ReadUntilFinalAsync(lb.RemoteStream);
        await send.Within();
        await using Stream detached = await detach.Within();
        await detached.WriteAsync("RAW"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Equal(big, (await first.Within())[^1].Payload);
        List<Frames.Frame> second = await Frames.ReadUntilFinalAsync(lb.RemoteStream).Within();
        Assert.Equal(final, second[^1].Payload);
        Assert.Equal("RAW"u8.ToArray(), await Bounded.ReadToEndAsync(lb.RemoteStream));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pending_receive_with_concurrent_SendAndDetach_fails_saying_detached_and_the_answer_is_raw(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[100].AsMemory(), Bounded.Token()).AsTask();
        // The peer answers the final frame with raw bytes as soon as it sees it, while our receive is still pending.
        byte[] answer = Frames.Concat(new byte[] { 0xFF, 0x00 }, Frames.RandomBytes(300));
        Task peer = Task.Run(async () =>
        {
            await Frames.ReadUntilFinalAsync(lb.RemoteStream);
            await lb.RemoteStream.WriteAsync(answer);
        });
        await using Stream detached = await ws.SendAndDetachAsync("SWITCH"u8.ToArray(), WebSocketMessageType.Text).Within();
        await peer.Within();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        Assert.Contains("detached", error.Message);
        Assert.Equal(answer, await Bounded.ReadExactlyAsync(detached, answer.Length));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ping_keep_alive_timeout_two_way_switch_with_BCL_answering_pings_is_clean(bool serverSwitchesFirst)
    {
        // Local uses ping keep-alive with a timeout; the peer is a BCL WebSocket that answers pings while receiving.
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket local = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions
        {
            IsServer = serverSwitchesFirst,
            KeepAliveInterval = TimeSpan.FromMilliseconds(5),
            KeepAliveTimeout = TimeSpan.FromSeconds(30),
        });
        using WebSocket peer = Peers.Bcl(lb.RemoteStream, isServer: !serverSwitchesFirst);
        Task<(WebSocketMessageType, byte[])> peerReceive = Peers.ReceiveMessageAsync(peer);
        await Task.Delay(50);
        await using Stream raw = await local.SendAndDetachAsync("bye"u8.ToArray(), WebSocketMessageType.Text).Within();
        Assert.Equal("bye", Encoding.UTF8.GetString((await peerReceive.Within()).Item2));
        await raw.WriteAsync("RAW"u8.ToArray());
        var buffer = new byte[3];
        await lb.RemoteStream.ReadExactlyAsync(buffer, Bounded.Token());
        Assert.Equal("RAW"u8.ToArray(), buffer);
    }
}
