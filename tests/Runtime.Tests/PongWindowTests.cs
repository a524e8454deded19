using System;
using System.IO;
using System.Net.Sockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>
/// The window of docs/handoff.md "Writes are gated": a detach that starts while one application send is in flight, when
/// that send has already written its frame but not returned. Driven on the transport stream directly (the calls the BCL
/// WebSocket makes, in the order that opens the window), over a real loopback connection, because the window is too short
/// to hit on purpose through the WebSocket.
/// </summary>
public sealed class PongWindowTests
{
    private static readonly byte[] DataFrame = { 0x82, 0x04, (byte)'l', (byte)'a', (byte)'s', (byte)'t' };
    private static readonly byte[] Pong = { 0x8A, 0x00 };

    /// <summary>Commits a detach on the stream and returns what the peer receives after it, then the test's raw bytes.</summary>
    private static async Task<byte[]> CommitAndReadWireAsync(Loopback lb, FrameBoundedStream stream, params ValueTask[] held)
    {
        stream.Hold(messagesReceivedByApplication: 0, keepFinal: false);
        await stream.WaitForWriteInFlightAsync(Bounded.Token());
        stream.Commit();
        foreach (ValueTask write in held)
        {
            await write.Within(); // dropped, reported done to the WebSocket
        }

        await stream.FlushAfterCommitAsync();
        stream.Release();
        await lb.LocalStream.WriteAsync("RAW"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);
        return await Bounded.ReadToEndAsync(lb.RemoteStream);
    }

    [Fact]
    public async Task Keep_alive_frame_after_the_in_flight_sends_frame_was_written_before_the_detach_began_is_held_then_dropped()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var stream = new FrameBoundedStream(lb.LocalStream);

        // The application's send writes its frame through the open gate (synchronously) and has not returned yet when the
        // detach begins; the keep-alive frame that waited for the WebSocket's send lock comes next.
        await stream.WriteAsync(DataFrame);
        stream.BeginDrain();
        ValueTask pong = stream.WriteAsync(Pong);
        Assert.False(pong.IsCompleted);

        Assert.Equal(Frames.Concat(DataFrame, "RAW"u8.ToArray()), await CommitAndReadWireAsync(lb, stream, pong));
    }

    [Fact]
    public async Task Keep_alive_frame_after_an_asynchronously_completed_frame_of_a_waiting_send_is_held_then_dropped()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var stream = new FrameBoundedStream(lb.LocalStream);

        // The send was seen waiting (its frame write had not completed), then the frame completed, then the detach began.
        stream.NoteSendParked();
        await stream.WriteAsync(DataFrame);
        stream.BeginDrain();
        ValueTask pong = stream.WriteAsync(Pong);
        Assert.False(pong.IsCompleted);
        stream.NoteSendUnparked();

        Assert.Equal(Frames.Concat(DataFrame, "RAW"u8.ToArray()), await CommitAndReadWireAsync(lb, stream, pong));
    }

    [Fact]
    public async Task Keep_alive_frame_ahead_of_the_in_flight_sends_frame_is_written_once_that_send_waits_for_it_so_nothing_deadlocks()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var stream = new FrameBoundedStream(lb.LocalStream);

        // The detach begins before the send's frame; the keep-alive frame got the WebSocket's send lock first and is held.
        stream.BeginDrain();
        ValueTask pong = stream.WriteAsync(Pong);
        Assert.False(pong.IsCompleted);

        // The send now waits inside the WebSocket (for the lock the held frame has): the frame goes out, ahead of it.
        stream.NoteSendParked();
        await pong.Within();
        await stream.WriteAsync(DataFrame);
        stream.NoteSendUnparked();

        // Behind the send's frame, keep-alive frames wait and are dropped at the commit.
        ValueTask late = stream.WriteAsync(Pong);
        Assert.False(late.IsCompleted);
        Assert.Equal(Frames.Concat(Pong, DataFrame, "RAW"u8.ToArray()), await CommitAndReadWireAsync(lb, stream, late));
    }

    [Fact]
    public async Task Keep_alive_frame_reaching_the_gate_while_the_send_already_waits_ahead_of_its_frame_is_written_at_once()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var stream = new FrameBoundedStream(lb.LocalStream);
        stream.NoteSendParked();
        stream.BeginDrain();
        ValueTask pong = stream.WriteAsync(Pong);
        Assert.True(pong.IsCompletedSuccessfully);
        await stream.WriteAsync(DataFrame);
        stream.NoteSendUnparked();
        Assert.Equal(Frames.Concat(Pong, DataFrame, "RAW"u8.ToArray()), await CommitAndReadWireAsync(lb, stream));
    }

    [Fact]
    public async Task Keep_alive_frame_held_by_a_detach_that_is_cancelled_goes_out_whole_after_the_sends_frame()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var stream = new FrameBoundedStream(lb.LocalStream);
        await stream.WriteAsync(DataFrame);
        stream.BeginDrain();
        ValueTask pong = stream.WriteAsync(Pong);
        Assert.False(pong.IsCompleted);

        stream.Resume();
        await pong.Within();
        Assert.Equal(Frames.Concat(DataFrame, Pong), await Bounded.ReadExactlyAsync(lb.RemoteStream, DataFrame.Length + Pong.Length));
        await stream.DisposeAsync();
    }
}
