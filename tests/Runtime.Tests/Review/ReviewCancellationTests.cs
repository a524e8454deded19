using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>Cancellation of a pending receive while SendAndDetachAsync is writing its final frame.</summary>
public sealed class ReviewCancellationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pending_receive_cancelled_during_the_final_send_neither_cuts_the_final_frame_nor_closes_the_connection(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        using var cts = new CancellationTokenSource();
        Task<ValueWebSocketReceiveResult> receive = ws.ReceiveAsync(new byte[10].AsMemory(), cts.Token).AsTask();
        byte[] final = Frames.RandomBytes(16 * 1024 * 1024);
        Task<Stream> detach = ws.SendAndDetachAsync(final, WebSocketMessageType.Binary).AsTask();
        await Task.Delay(100); // the peer is not reading: the final write is in flight
        cts.Cancel();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => receive.Within());
        Assert.Contains("detached", error.Message);

        var frames = await Frames.ReadUntilFinalAsync(lb.RemoteStream).Within();
        Assert.Equal(final, frames[^1].Payload);
        await using Stream raw = await detach.Within();
        await raw.WriteAsync("RAW"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Equal("RAW"u8.ToArray(), await Bounded.ReadToEndAsync(lb.RemoteStream));
    }
}
