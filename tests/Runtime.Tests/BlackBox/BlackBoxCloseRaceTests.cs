using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>Closing and detaching: the close states before a detach, and a close racing one (G3, G5: never silent loss).</summary>
public sealed class BlackBoxCloseRaceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CloseOutputAsync_waiting_behind_a_keep_alive_write_when_a_detach_starts_is_on_the_wire_or_fails(bool isServer)
    {
        // A keep-alive pong is stuck in flight; CloseOutputAsync (begun while attached) waits behind it inside the
        // WebSocket; then a detach starts. When the pong goes out, either the close frame follows it onto the wire before
        // the handoff point, or CloseOutputAsync fails: it must not report success for a close frame that never went out.
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer, TimeSpan.FromMilliseconds(10));
        holding.HoldNextWrite();
        await holding.WriteHeld.Within();

        Task close = ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Bounded.Token());
        await Task.Delay(50);
        Task<Stream> detach = ws.DetachAsync().AsTask();
        await Task.Delay(50);
        holding.Release();

        await using Stream detached = await detach.Within();
        bool closeReported;
        try
        {
            await close.Within();
            closeReported = true;
        }
        catch (InvalidOperationException ex)
        {
            // A clear error: the close met the detach.
            Assert.Contains("detached", ex.Message);
            closeReported = false;
        }

        byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(100));
        await detached.WriteAsync(raw);
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x88);
        Assert.Equal(raw, rest);
        bool closeOnWire = frames.Exists(f => f.Opcode == Frames.Close);
        Assert.Equal(closeReported, closeOnWire);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CloseAsync_waiting_behind_a_keep_alive_write_when_a_detach_starts_fails_saying_detached_and_never_hangs(bool isServer)
    {
        // CloseAsync sends a close frame and then waits for the peer's: either half meets the detach. It must end (not
        // wait for a close that can no longer arrive), say so, and leave no close frame after the handoff point.
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer, TimeSpan.FromMilliseconds(10));
        holding.HoldNextWrite();
        await holding.WriteHeld.Within();
        Task close = ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Bounded.Token());
        await Task.Delay(50);
        Task<Stream> detach = ws.DetachAsync().AsTask();
        await Task.Delay(50);
        holding.Release();

        await using Stream detached = await detach.Within();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => close.Within());
        Assert.Contains("detached", error.Message);
        byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(30));
        await detached.WriteAsync(raw);
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x88);
        Assert.Equal(raw, rest);
        Assert.DoesNotContain(frames, f => f.Opcode == Frames.Close);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DetachAsync_after_CloseOutputAsync_returns_the_raw_bytes_and_writes_nothing_after_the_close_frame(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "switching", Bounded.Token()).Within();
        Assert.Equal(WebSocketState.CloseSent, ws.State);

        // SendAndDetachAsync can send no final message after the close frame: refused, nothing changes.
        await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask());
        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.CloseSent, ws.State);

        byte[] raw = Frames.RandomBytes(777);
        await lb.RemoteStream.WriteAsync(raw);
        await Task.Delay(20);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.True(ws.IsDetached);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));

        byte[] back = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(50));
        await Task.Delay(20); // keep-alive would fire many times here
        await detached.WriteAsync(back);
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x88);
        Assert.Equal(back, rest);
        // One close frame; after it at most a keep-alive pong that the BCL WebSocket had queued behind it.
        Assert.Single(frames, f => f.Opcode == Frames.Close);
        int close = frames.FindIndex(f => f.Opcode == Frames.Close);
        Assert.All(frames.GetRange(close + 1, frames.Count - close - 1), f => Assert.Equal(Frames.Pong, f.Opcode));
    }

    [Fact]
    public async Task Peer_close_frame_coalesced_with_the_final_message_is_returned_raw_when_the_application_detaches_after_the_message()
    {
        // The application detaches after the final message; the peer's close frame that came with it belongs to what
        // follows the handoff point: the detached stream returns it byte for byte, and the WebSocket answers nothing.
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true, TimeSpan.FromMilliseconds(1));
        byte[] close = Frames.Build(Frames.Close, new byte[] { 0x03, 0xE8 }, masked: true);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, new byte[] { 1, 2, 3 }, masked: true), close));
        Assert.Equal(new byte[] { 1, 2, 3 }, (await Peers.ReceiveMessageAsync(ws)).Payload);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(close, await Bounded.ReadExactlyAsync(detached, close.Length));
        lb.Local.Shutdown(SocketShutdown.Send);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A);
        Assert.Empty(rest);
        Assert.All(frames, f => Assert.Equal(Frames.Pong, f.Opcode));
    }
}
