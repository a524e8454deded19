using System;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>G2 and G3: whole frames only, and nothing from the WebSocket layer after the handoff point.</summary>
public sealed class NoInjectionTests
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAndDetach_leaves_the_final_message_last_on_the_wire_with_keep_alive_every_millisecond(bool isServer)
    {
        for (int i = 0; i < 25; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, OneMillisecond);
            await ws.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
            if (i % 2 == 1)
            {
                await Task.Yield();
            }

            await using var detached = await ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Text).Within();
            await detached.WriteAsync("raw"u8.ToArray());
            lb.Local.Shutdown(SocketShutdown.Send);

            var first = await Frames.ReadUntilFinalAsync(lb.RemoteStream);
            var second = await Frames.ReadUntilFinalAsync(lb.RemoteStream);
            Assert.Equal("hello", Encoding.UTF8.GetString(first[^1].Payload));
            Frames.Frame last = second[^1];
            Assert.Equal("final", Encoding.UTF8.GetString(last.Payload));
            Assert.Equal(!isServer, last.Masked);
            Assert.All(first.GetRange(0, first.Count - 1), f => Assert.Equal(Frames.Pong, f.Opcode));
            Assert.All(second.GetRange(0, second.Count - 1), f => Assert.Equal(Frames.Pong, f.Opcode));
            Assert.Equal("raw"u8.ToArray(), await Bounded.ReadToEndAsync(lb.RemoteStream));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_racing_keep_alive_ticks_lets_no_pong_follow_the_handoff_point(bool isServer)
    {
        for (int i = 0; i < 25; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, OneMillisecond);
            await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Binary, "switch"u8, masked: isServer));
            await Peers.ReceiveMessageAsync(ws);

            await using var detached = await ws.DetachAsync().Within();
            byte[] raw = Frames.RandomBytes(64);
            raw[0] = 0x00; // cannot be mistaken for the start of a keep-alive frame
            await detached.WriteAsync(raw);
            lb.Local.Shutdown(SocketShutdown.Send);

            byte[] received = await Bounded.ReadToEndAsync(lb.RemoteStream);
            Assert.Equal(raw, Peers.SkipLeadingKeepAlive(received));
        }
    }

    [Fact]
    public async Task Pending_receive_meeting_raw_bytes_after_the_detach_writes_no_close_frame()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        var receive = ws.ReceiveAsync(new byte[100].AsMemory(), default).AsTask();

        await using var detached = await ws.DetachAsync().Within();
        await Assert.ThrowsAsync<InvalidOperationException>(() => receive.Within());

        // Bytes that would be a protocol error for a WebSocket (reserved bits, bad opcode) are the stream's now.
        byte[] raw = { 0xFF, 0x7F, 0x00, 0x01 };
        await lb.RemoteStream.WriteAsync(raw);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        ws.Dispose();
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Empty(await Bounded.ReadToEndAsync(lb.RemoteStream));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_waits_for_a_send_in_flight_so_no_partial_frame_is_left(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, OneMillisecond);
        byte[] big = Frames.RandomBytes(32 * 1024 * 1024);

        // The peer reads nothing yet, so the send stays in flight once the socket buffers are full.
        Task send = ws.SendAsync(big, WebSocketMessageType.Binary, true, Bounded.Token());
        Task<System.IO.Stream> detach = ws.DetachAsync().AsTask();

        Task<Frames.Frame> read = ReadDataFrameAsync(lb.RemoteStream);
        await send.Within();
        await using var detached = await detach.Within();
        await detached.WriteAsync("raw"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);

        Frames.Frame frame = await read.Within();
        Assert.True(frame.Fin);
        Assert.Equal(big, frame.Payload);
        Assert.Equal("raw"u8.ToArray(), Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream)));
    }

    [Fact]
    public async Task Send_racing_a_detach_is_either_whole_on_the_wire_or_fails_saying_so()
    {
        for (int i = 0; i < 50; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true, OneMillisecond);
            Task send = Task.Run(() => ws.SendAsync(Frames.RandomBytes(5000), WebSocketMessageType.Binary, true, Bounded.Token()));
            Task<System.IO.Stream> detach = Task.Run(() => ws.DetachAsync().AsTask());

            bool sent;
            try
            {
                await send.Within();
                sent = true;
            }
            catch (InvalidOperationException)
            {
                sent = false;
            }

            await using var detached = await detach.Within();
            await detached.WriteAsync(new byte[] { 0x00, 0x01 });
            lb.Local.Shutdown(SocketShutdown.Send);
            byte[] received = Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream));
            if (sent)
            {
                // The whole frame (4-byte header, 5000 bytes), then possibly pongs, then the raw bytes.
                Assert.Equal(0x82, received[0]);
                Assert.Equal(new byte[] { 0x00, 0x01 }, Peers.SkipLeadingKeepAlive(received.AsSpan(4 + 5000).ToArray()));
            }
            else
            {
                Assert.Equal(new byte[] { 0x00, 0x01 }, received);
            }
        }
    }

    private static async Task<Frames.Frame> ReadDataFrameAsync(System.IO.Stream stream)
    {
        while (true)
        {
            Frames.Frame frame = await Frames.ReadAsync(stream);
            if (frame.Opcode != Frames.Pong)
            {
                return frame;
            }
        }
    }
}
