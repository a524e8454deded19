using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>Abort and Dispose at each point of a detach (G4, G5).</summary>
public sealed class BlackBoxOwnershipTests
{
    private static bool IsClosed(Socket socket)
    {
        try
        {
            _ = socket.Available;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Abort_or_Dispose_while_a_detach_waits_for_an_application_send_ends_it_with_WebSocketException_and_closes_the_connection(bool abort, bool sendFinal)
    {
        // The detach has not fixed its handoff point yet: it waits for the application's send stuck in flight. Abort or
        // Dispose then close the connection as on the BCL WebSocket, and the detach fails as documented.
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        HandoffWebSocket ws = Peers.Handoff(holding, isServer: true);
        holding.HoldNextWrite();
        Task send = ws.SendAsync(new byte[100].AsMemory(), WebSocketMessageType.Binary, true, Bounded.Token()).AsTask();
        await holding.WriteHeld.Within();
        Task<Stream> detach = sendFinal
            ? ws.SendAndDetachAsync("final"u8.ToArray(), WebSocketMessageType.Binary).AsTask()
            : ws.DetachAsync().AsTask();
        await Task.Delay(20);
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
        await Assert.ThrowsAnyAsync<Exception>(() => send.Within());
        var error = await Assert.ThrowsAsync<WebSocketException>(() => detach.Within());
        Assert.Contains("aborted or disposed", error.Message);
        Assert.False(ws.IsDetached);
        Assert.True(IsClosed(lb.Local));
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
    }
}
