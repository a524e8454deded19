using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>The WebSocket failing on its own (not aborted by its owner) while a detach waits: the error says what happened.</summary>
public sealed class BlackBoxWebSocketFailureTests
{
    [Fact]
    public async Task A_WebSocket_that_fails_on_its_own_while_a_detach_waits_for_a_send_ends_the_detach_with_a_message_saying_so()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        HandoffWebSocket ws = Peers.Handoff(holding, isServer: true);
        Task<ValueWebSocketReceiveResult> receive = ws.ReceiveAsync(new byte[16].AsMemory(), Bounded.Token()).AsTask();
        holding.HoldNextWrite();
        Task send = ws.SendAsync(new byte[100].AsMemory(), WebSocketMessageType.Binary, true, Bounded.Token()).AsTask();
        await holding.WriteHeld.Within();
        Task<Stream> detach = ws.DetachAsync().AsTask();
        await Task.Delay(20);
        Assert.False(detach.IsCompleted);

        // The peer resets the connection: the pending receive fails and the WebSocket aborts itself, disposing its stream.
        lb.Remote.LingerState = new LingerOption(true, 0);
        lb.Remote.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => receive.Within());

        holding.Release();
        await Assert.ThrowsAnyAsync<Exception>(() => send.Within());
        // Depending on whether the WebSocket has disposed its stream by then, the detach fails on the failed frame write
        // (InvalidOperationException, nothing changed) or on the closed connection (WebSocketException); either way the
        // message must not blame the owner, who aborted nothing.
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => detach.Within());
        Assert.True(error is InvalidOperationException or WebSocketException, error.ToString());
        Assert.DoesNotContain("aborted or disposed", error.Message);
        Assert.True(
            error.Message.Contains("frame write failed", StringComparison.Ordinal)
                || error.Message.Contains("closed its connection while the detach waited", StringComparison.Ordinal),
            error.Message);
        Assert.False(ws.IsDetached);
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
    }
}
