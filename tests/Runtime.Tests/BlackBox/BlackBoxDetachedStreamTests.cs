using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;
using WebSocketHandoff.Tests.Review;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>The detached stream as the caller uses it next: timeouts, cancellation, another protocol on top (G1, G4).</summary>
public sealed class BlackBoxDetachedStreamTests
{
    [Fact]
    public async Task Cancelling_the_token_of_the_receive_that_was_pending_at_the_detach_does_not_fail_a_read_of_the_detached_stream()
    {
        // The receive pending at the detach and the first read of the detached stream both wait for the same transport
        // read. Each has its own token: cancelling the dead receive's token later must not touch the detached read.
        for (int i = 0; i < 20; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
            using var receiveCts = new CancellationTokenSource();
            Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[16].AsMemory(), receiveCts.Token).AsTask();
            await Task.Delay(10);
            Stream detached = await ws.DetachAsync().Within();
            using var readCts = new CancellationTokenSource();
            var buffer = new byte[8];
            Task<int> read = detached.ReadAsync(buffer.AsMemory(), readCts.Token).AsTask();
            receiveCts.Cancel();
            await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());

            await lb.RemoteStream.WriteAsync(new byte[] { 0x00, 1, 2, 3 });
            int n = await read.Within();
            Assert.InRange(n, 1, 4);
            Assert.Equal(new byte[] { 0x00, 1, 2, 3 }.AsSpan(0, n).ToArray(), buffer.AsSpan(0, n).ToArray());

            // The detached read's own token still works.
            Task<int> next = detached.ReadAsync(new byte[8].AsMemory(), readCts.Token).AsTask();
            readCts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.Within());
            await detached.DisposeAsync();
        }
    }

    [Fact]
    public async Task Detached_read_cancelled_by_its_own_token_while_the_dead_receive_was_still_completing_throws_and_loses_nothing()
    {
        for (int i = 0; i < 20; i++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
            Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[16].AsMemory(), Bounded.Token()).AsTask();
            await Task.Delay(10);
            await using Stream detached = await ws.DetachAsync().Within();
            using (var readCts = new CancellationTokenSource())
            {
                // Started before the dead receive's completion has run.
                Task<int> read = detached.ReadAsync(new byte[8].AsMemory(), readCts.Token).AsTask();
                readCts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.Within());
            }

            await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
            byte[] raw = Frames.RandomBytes(3000);
            await lb.RemoteStream.WriteAsync(raw);
            Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Synchronous_read_of_the_detached_stream_honours_ReadTimeout_like_the_transport(bool receivePendingAtDetach)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "go"u8, masked: true), new byte[] { 7, 8 }));
        await Peers.ReceiveMessageAsync(ws);
        Task<ValueWebSocketReceiveResult>? pending = receivePendingAtDetach ? ws.ReceiveAsync(new byte[16].AsMemory(), Bounded.Token()).AsTask() : null;
        await Task.Delay(20);
        Stream detached = await ws.DetachAsync().Within();
        if (pending is not null)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        }

        Assert.True(detached.CanTimeout);
        detached.ReadTimeout = 300;
        Assert.Equal(300, detached.ReadTimeout);
        Assert.Equal(300, lb.LocalStream.ReadTimeout);

        // The residual first, synchronously.
        var buffer = new byte[10];
        int n = await Task.Run(() => detached.Read(buffer, 0, buffer.Length)).Within();
        Assert.Equal(new byte[] { 7, 8 }, buffer.AsSpan(0, n).ToArray());

        // Then nothing arrives: a synchronous read times out as the transport's does (IOException), it does not hang.
        Task<int> timedOut = Task.Run(() => detached.Read(buffer, 0, buffer.Length));
        try
        {
            await Assert.ThrowsAsync<IOException>(() => timedOut.WaitAsync(TimeSpan.FromSeconds(15)));
        }
        finally
        {
            detached.Dispose();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WebSocket_then_raw_then_WebSocket_again_on_the_detached_stream_then_raw_loses_nothing(bool isServer)
    {
        // A protocol that switches back: the detached stream carries a second WebSocket session. Everything the peer
        // sends arrives in one write, so each session's last frame shares a transport read with what follows it.
        using Loopback lb = await Loopback.CreateAsync();
        bool mask = isServer;
        byte[] raw1 = Encoding.ASCII.GetBytes("between sessions");
        byte[] raw2 = Frames.RandomBytes(10_000);
        await lb.RemoteStream.WriteAsync(Frames.Concat(
            Frames.Build(Frames.Text, "first session"u8, masked: mask),
            raw1,
            Frames.Build(Frames.Binary, new byte[] { 1 }, fin: false, masked: mask),
            Frames.Build(Frames.Ping, "p"u8, masked: mask),
            Frames.Build(Frames.Continuation, new byte[] { 2, 3 }, masked: mask),
            raw2));

        using HandoffWebSocket first = Peers.Handoff(lb.LocalStream, isServer, TimeSpan.FromMilliseconds(1));
        Assert.Equal("first session", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(first)).Payload));
        Stream detached1 = await first.DetachAsync().Within();
        Assert.Equal(raw1, await Bounded.ReadExactlyAsync(detached1, raw1.Length));

        using HandoffWebSocket second = Peers.Handoff(detached1, isServer, TimeSpan.FromMilliseconds(1));
        Assert.Equal(new byte[] { 1, 2, 3 }, (await Peers.ReceiveMessageAsync(second, chunk: 1)).Payload);
        Stream detached2 = await second.SendAndDetachAsync("second done"u8.ToArray(), WebSocketMessageType.Text).Within();
        Assert.Equal(raw2, await Bounded.ReadExactlyAsync(detached2, raw2.Length));

        byte[] back = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(500));
        await detached2.WriteAsync(back);
        first.Dispose();
        second.Dispose();
        await detached2.DisposeAsync(); // disposes detached1 and the socket under it
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x81);
        Assert.Equal(back, rest);
        Frames.Frame last = frames[^1];
        Assert.Equal((Frames.Text, "second done"), (last.Opcode, Encoding.UTF8.GetString(last.Payload)));
        Assert.Equal(!isServer, last.Masked);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TLS_started_on_the_detached_stream_with_the_ClientHello_coalesced_with_the_final_frame_works(bool localIsTlsServer)
    {
        // STARTTLS over a WebSocket handoff: the peer's first TLS record arrives in the same TCP write as the final
        // WebSocket frame, so it is in the residual the detached stream gives first.
        using Loopback lb = await Loopback.CreateAsync();
        using X509Certificate2 certificate = ReviewHelpers.CreateSelfSignedCertificate();
        // Keep-alive off: pongs written before our detach would reach the peer's TLS layer (see the two-message exchange).
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        byte[] final = Frames.Build(Frames.Text, "STARTTLS"u8, masked: true);

        // The TLS client speaks first: as the TLS client the peer sends its ClientHello with the final frame; as the TLS
        // server it has nothing to send until our ClientHello, so the frame goes alone.
        if (!localIsTlsServer)
        {
            await lb.RemoteStream.WriteAsync(final);
        }

        var peerPlain = new PrefixFirstWriteStream(lb.RemoteStream, localIsTlsServer ? final : Array.Empty<byte>());
        var peerTls = new SslStream(peerPlain, false, (_, _, _, _) => true);
        Task peerHandshake = localIsTlsServer
            ? peerTls.AuthenticateAsClientAsync("localhost")
            : peerTls.AuthenticateAsServerAsync(certificate);

        Assert.Equal("STARTTLS", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
        await using Stream detached = await ws.DetachAsync().Within();
        using var localTls = new SslStream(detached, false, (_, _, _, _) => true);
        Task localHandshake = localIsTlsServer
            ? localTls.AuthenticateAsServerAsync(certificate)
            : localTls.AuthenticateAsClientAsync("localhost");
        await Task.WhenAll(localHandshake, peerHandshake).Within();

        byte[] up = Frames.RandomBytes(100_000);
        byte[] down = Frames.RandomBytes(100_000);
        Task send = peerTls.WriteAsync(up).AsTask();
        Assert.Equal(up, await Bounded.ReadExactlyAsync(localTls, up.Length));
        await send.Within();
        await localTls.WriteAsync(down);
        Assert.Equal(down, await Bounded.ReadExactlyAsync(peerTls, down.Length));
        peerTls.Dispose();
    }

    [Fact]
    public async Task Detached_stream_keeps_working_after_the_HandoffWebSocket_is_unreachable_and_collected()
    {
        using Loopback lb = await Loopback.CreateAsync();
        byte[] residual = Frames.RandomBytes(300);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, "last"u8, masked: true), residual));
        (Stream detached, WeakReference weak) = await DetachAndForgetAsync(lb.LocalStream);
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        await Task.Delay(30); // a keep-alive timer, had it survived, would fire here
        Assert.Equal(residual, await Bounded.ReadExactlyAsync(detached, residual.Length));
        byte[] later = Frames.RandomBytes(5000);
        await lb.RemoteStream.WriteAsync(later);
        Assert.Equal(later, await Bounded.ReadExactlyAsync(detached, later.Length));
        byte[] back = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(100));
        await detached.WriteAsync(back);
        lb.Local.Shutdown(SocketShutdown.Send);
        Assert.Equal(back, Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream)));
        GC.KeepAlive(weak);
        await detached.DisposeAsync();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(Stream, WeakReference)> DetachAndForgetAsync(Stream transport)
    {
        HandoffWebSocket ws = Peers.Handoff(transport, isServer: true, TimeSpan.FromMilliseconds(1));
        Assert.Equal("last"u8.ToArray(), (await Peers.ReceiveMessageAsync(ws)).Payload);
        Stream detached = await ws.DetachAsync().Within();
        return (detached, new WeakReference(ws));
    }

    [Fact]
    public async Task Disposing_the_detached_stream_then_the_HandoffWebSocket_closes_the_transport_once_and_throws_nothing()
    {
        using Loopback lb = await Loopback.CreateAsync();
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false, TimeSpan.FromMilliseconds(1));
        Stream detached = await ws.SendAndDetachAsync("bye"u8.ToArray(), WebSocketMessageType.Binary).Within();
        detached.Dispose();
        detached.Dispose();
        ws.Dispose();
        ws.Abort();
        Assert.True(ws.IsDetached);
        Assert.Throws<ObjectDisposedException>(() => lb.Local.Available);
        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x82);
        Assert.Empty(rest);
        Assert.Equal("bye"u8.ToArray(), frames[^1].Payload);
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => detached.ReadAsync(new byte[1].AsMemory()).AsTask());
    }
}
